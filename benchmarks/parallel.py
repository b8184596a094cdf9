"""Benchmark parallel runs: 40 runs × 5 fake-LLM turns at 200 ms each, --parallel 1/4/8 and Dask 1 vs 2 workers.

Each run is the ``openai`` agent against the scripted fake LLM server: four turns that call
``list_directory`` and a fifth that answers, every reply delayed 200 ms (the fake's ``slow`` fault,
one per request). Ideal wall time = runs × 5 × 0.2 s / concurrency. Target: --parallel 8 within
1.2× of ideal.

    python benchmarks/parallel.py [--runs 40] [--skip-dask]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zebench.llm.fake import FakeFault, FakeReply, FakeScript, FakeToolCall
from zebench.results.models import RunStatus
from zebench.runner import run_batch
from zebench.runner.executors import Executor, LocalExecutor
from zebench.runner.plan import ExperimentPlan, build_specs, expand, load_plan_scenarios
from zebench.store import open_store

TURNS = 5
LATENCY_S = 0.2


def make_suite(root: Path) -> Path:
    directory = root / "bench" / "scenarios" / "trivial"
    (directory / "prompts").mkdir(parents=True)
    (directory / "prompts" / "L1-basic.md").write_text("Look around, then stop.\n")
    (directory / "repo-fixture").mkdir()
    for i in range(3):
        (directory / "repo-fixture" / f"f{i}.txt").write_text(f"{i}\n")
    (directory / "scenario.yaml").write_text(
        "name: trivial\nsuccess_threshold: 0.5\nvalidation_commands:\n"
        "  - {name: check, kind: build, command: 'true', timeout: 60}\n"
        "evaluators:\n  - {name: build, weight: 1}\n"
    )
    return root


def script(runs: int) -> FakeScript:
    look = FakeReply(tool_calls=[FakeToolCall(name="list_directory", arguments={"path": "."})])
    return FakeScript(
        turns=[look] * (TURNS - 1) + [FakeReply(text="done")],
        # One `slow` fault per request: every reply takes LATENCY_S, as a real provider would.
        faults=[FakeFault(at=n, kind="slow", delay_s=LATENCY_S) for n in range(1, runs * TURNS * 2 + 1)],
    )


def run(
    label: str, suites: Path, db: Path, base_url: str, runs: int, executor: Executor, slots: int
) -> float:
    """Run the batch; print and return its wall time in seconds."""
    plan = ExperimentPlan(
        suite="bench", agents=["openai"], models=["fake-model"], iterations=runs,
        options={"base_url": base_url, "extra": {"max_retries": 0}},
    )  # fmt: skip
    cells = expand(plan, load_plan_scenarios(plan, suites))
    batch = f"bench_{label.replace(' ', '_')}"
    specs = build_specs(plan, [(s, sc, 1) for s, sc in cells], batch, workspace_root=suites.parent / "ws")
    url = f"sqlite:///{db}"
    store = open_store(url)
    started = time.perf_counter()
    outcome = run_batch(batch, specs, store, skip_warmup=True, executor=executor, parallel=slots)
    wall = time.perf_counter() - started
    ok = [r for r in outcome.runs if r.status == RunStatus.COMPLETED and r.telemetry.turns == TURNS]
    store.close()
    ideal = runs * TURNS * LATENCY_S / slots
    print(
        f"{label:<22} {wall:7.2f} s   ideal {ideal:6.2f} s   ratio {wall / ideal:5.2f}×   ({len(ok)}/{runs} runs ok)"
    )
    assert len(ok) == runs, f"{label}: only {len(ok)} of {runs} runs completed"
    return wall


def dask_cluster(workers: int, slots_per_worker: int, cwd: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A scheduler and ``workers`` × ``zebench worker --runs N``, as users start them; returns once
    every worker has joined (a worker's preload, its imports, is part of starting it, not a batch)."""
    dask = shutil.which("dask")
    assert dask, "dask CLI not found"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"

    def quiet(argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)

    procs = [quiet([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])]
    for _ in range(workers):
        procs.append(quiet([sys.executable, "-m", "zebench", "worker", address, "--host", "127.0.0.1",
                            "--runs", str(slots_per_worker)]))  # fmt: skip
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


_SERVE = """
import sys, time
from pathlib import Path
from zebench.llm.fake import FakeLLMServer
from zebench.llm.fake.script import load_script
with FakeLLMServer(load_script(Path(sys.argv[1])), port=int(sys.argv[2])):
    while True:
        time.sleep(3600)
"""


@contextmanager
def fake_server(fake_script: FakeScript, root: Path) -> Iterator[str]:
    """The fake LLM in its own process: a real provider does not share our GIL."""
    path = root / "fake.json"
    path.write_text(fake_script.model_dump_json())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, str(path), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def measure_dask(runs: int, root: Path, base_url: str, suites: Path, per_worker: int = 4) -> dict[int, float]:
    """Wall time of the batch on 1 and on 2 ``zebench worker`` processes of ``per_worker`` slots.

    No warm-up batch: each worker's one-time imports happen when it starts (its preload, see
    ``zebench.runner.dask_preload``), and the client's per-batch check of the workers is timed.
    """
    from zebench.runner.dask_executor import DaskExecutor

    walls: dict[int, float] = {}
    for workers in (1, 2):
        db = root / f"dask{workers}.db"
        open_store(f"sqlite:///{db}").close()  # migrate once, before the workers write
        address, procs = dask_cluster(workers, per_worker, root)
        try:
            executor = DaskExecutor(address, f"sqlite:///{db}", status=lambda _: None)
            started = time.perf_counter()
            executor.preflight()  # connect, find the workers, check each: timed apart, and in the total
            checked = time.perf_counter() - started
            walls[workers] = checked + run(f"dask {workers} worker(s)×{per_worker}", suites, db, base_url,
                                           runs, executor, workers * per_worker)  # fmt: skip
            print(f"  of which the client's per-batch check of the workers: {checked:.2f} s")
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)
    speedup = walls[1] / walls[2]
    print(f"dask: 2 workers finish {speedup:.2f}× faster than 1 (goal ≥ 1.8×)")
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--only-dask", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="no price known")  # the fake model is unpriced on purpose
    root = Path(tempfile.mkdtemp(prefix="zebench-parallel-"))
    suites = make_suite(root / "suites")
    print(
        f"{args.runs} runs × {TURNS} turns × {LATENCY_S * 1000:.0f} ms fake-LLM latency  (python {sys.version.split()[0]})"
    )
    try:
        with fake_server(script(args.runs * 7), root) as base_url:
            # Untimed warm-up: the first run pays the one-time SDK imports (~1 s), not the batch.
            run("warm-up (1 run)", suites, root / "warm.db", base_url, 1, LocalExecutor(1), 1)
            if not args.only_dask:
                for parallel in (1, 4, 8):
                    run(f"--parallel {parallel}", suites, root / f"p{parallel}.db", base_url, args.runs,
                        LocalExecutor(parallel), parallel)  # fmt: skip
            if not args.skip_dask:
                measure_dask(args.runs, root, base_url, suites)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
