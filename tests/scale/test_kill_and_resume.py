"""``zebench bench`` killed for real (kill -9, Ctrl-C) mid-batch, then ``--resume``: nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scale_helpers import make_suite

from zebench.results.models import RunStatus
from zebench.runner.resume import read_batch
from zebench.store import open_store


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "zebench", "bench", *args, "--suites-dir", str(tmp_path / "suites"),
         "--db", f"sqlite:///{tmp_path / 'r.db'}", "--workspace-root", str(tmp_path / "ws")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _completed(tmp_path: Path, batch: str) -> int:
    if not (tmp_path / "r.db").exists():
        return 0
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        try:
            state = read_batch(store, batch)
        except Exception:
            return 0
    return sum(a.status == RunStatus.COMPLETED for s in state.slots.values() for a in s)


def _wait_for_runs(tmp_path: Path, batch: str, n: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while _completed(tmp_path, batch) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "runs did not finish in time"
        time.sleep(0.2)


def _wait_for_a_running_run(tmp_path: Path, batch: str, proc: subprocess.Popen[str]) -> None:
    """Until a run is stored as running: the moment a kill -9 leaves a trace (not between runs)."""
    deadline = time.monotonic() + 120
    while True:
        with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
            state = read_batch(store, batch)
        if any(a.status == RunStatus.RUNNING for s in state.slots.values() for a in s):
            return
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no run was ever stored as running"
        time.sleep(0.05)


def _resume_and_check(tmp_path: Path, batch: str, slots: int) -> dict[str, list[object]]:
    proc = _start(tmp_path, "--resume", batch, "--parallel", "3")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        state = read_batch(store, batch)
        figures = store.get_batch(batch).summary.metadata["figures"]
    assert state.completed and len(state.slots) == slots
    for attempts in state.slots.values():
        assert attempts[-1].status == RunStatus.COMPLETED
        assert [a.attempt for a in attempts] == list(range(1, len(attempts) + 1))
        assert all(a.status == RunStatus.INTERRUPTED for a in attempts[:-1])
    assert figures["final"]["successes"] == slots
    return state.slots  # type: ignore[return-value]


def test_kill_9_mid_batch_then_resume_loses_no_finished_run(tmp_path: Path) -> None:
    make_suite(tmp_path / "suites", scenarios={"s": "sleep 0.5"})
    proc = _start(
        tmp_path, "mini", "s", "--iterations", "8", "--parallel", "2", "--batch-id", "b9", "--skip-warmup"
    )
    _wait_for_runs(tmp_path, "b9", 2, proc)
    _wait_for_a_running_run(tmp_path, "b9", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    finished_before = _completed(tmp_path, "b9")
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        left = read_batch(store, "b9")
    assert any(a.status == RunStatus.RUNNING for s in left.slots.values() for a in s)  # the kill -9 trace
    slots = _resume_and_check(tmp_path, "b9", 8)
    # Every run finished before the kill is still there, as attempt 1.
    assert sum(1 for attempts in slots.values() if len(attempts) == 1) >= finished_before


def test_ctrl_c_stores_in_flight_runs_as_interrupted_and_resume_finishes(tmp_path: Path) -> None:
    make_suite(tmp_path / "suites", scenarios={"s": "sleep 0.5"})
    proc = _start(
        tmp_path, "mini", "s", "--iterations", "8", "--parallel", "3", "--batch-id", "bc", "--skip-warmup"
    )
    _wait_for_runs(tmp_path, "bc", 2, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, out + err
    assert "--resume bc" in " ".join(err.split())
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        state = read_batch(store, "bc")
    statuses = [a.status for s in state.slots.values() for a in s]
    assert RunStatus.RUNNING not in statuses  # every in-flight run was stored as interrupted
    assert not state.completed
    _resume_and_check(tmp_path, "bc", 8)


def test_retry_errors_needs_resume(tmp_path: Path) -> None:
    proc = _start(tmp_path, "examples", "fix-lint-errors", "--retry-errors")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err.startswith("error:"), err
