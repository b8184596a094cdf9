"""The Dask executor on a real local cluster: a scheduler and two worker processes, one killed mid-batch."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from scale_helpers import make_suite

from zebench.results.models import RunStatus
from zebench.runner import run_batch
from zebench.runner.dask_executor import DaskExecutor
from zebench.runner.plan import ExperimentPlan, build_specs, expand, load_plan_scenarios
from zebench.runner.resume import read_batch
from zebench.store import open_store

DASK = shutil.which("dask")
pytestmark = pytest.mark.skipif(DASK is None, reason="dask CLI not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """``dask scheduler`` + two ``dask worker --resources zebench_run=1`` processes (no nanny, so a
    kill -9 really removes a worker instead of being restarted)."""
    assert DASK is not None
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = (tmp_path / "dask.log").open("wb")
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=log, stderr=log)]  # fmt: skip
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--no-nanny",
                        "--nthreads",
                        "1",
                        "--resources",
                        "zebench_run=1",
                    ],
                    stdout=log,
                    stderr=log,
                    cwd=tmp_path,
                )
            )
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def test_runs_spread_over_workers_and_a_killed_worker_loses_nothing(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    address, workers = cluster
    make_suite(tmp_path / "suites", scenarios={"s": "sleep 1"})
    plan = ExperimentPlan(suite="mini", agents=["echo"], iterations=6)
    slots = expand(plan, load_plan_scenarios(plan, tmp_path / "suites"))
    specs = build_specs(plan, [(s, sc, 1) for s, sc in slots], "bd", workspace_root=tmp_path / "ws")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = open_store(url)
    killed: list[int] = []
    victims: list[str] = []

    class KillOneWorker:
        """Progress sink that kills the worker holding the first run to reach validation."""

        def phase(self, run_label: str, phase: str, detail: str = "") -> None:
            if phase != "validation" or killed:
                return
            state = read_batch(store, "bd")
            running = [a.pid for s in state.slots.values() for a in s if a.status == RunStatus.RUNNING]
            for proc in workers:
                if proc.pid in running:
                    proc.send_signal(signal.SIGKILL)
                    killed.append(proc.pid)
                    victims.extend(a.run_id for s in state.slots.values() for a in s if a.pid == proc.pid)
                    return

        def event(self, run_label: str, message: str) -> None: ...
        def control_finished(self, control: object) -> None: ...
        def run_finished(self, record: object) -> None: ...

    outcome = run_batch(
        "bd", specs, store, executor=DaskExecutor(address, url), skip_warmup=True,
        metadata=plan.to_metadata(), progress=KillOneWorker(),
    )  # fmt: skip
    assert killed, "no worker was killed mid-run"
    assert not outcome.interrupted and not outcome.errors
    state = read_batch(store, "bd")
    assert state.completed and len(state.slots) == 6
    stored = [a for s in state.slots.values() for a in s]
    assert len(stored) == 6  # the re-executed run replaced its 'running' row: no duplicate
    assert {a.run_id for a in stored} == {s.run_id for s in specs}
    assert all(a.status == RunStatus.COMPLETED and a.is_successful for a in stored)
    by_id = {a.run_id: a for a in stored}
    assert victims and all(by_id[v].pid != killed[0] for v in victims)  # re-executed on the survivor
    store.close()
