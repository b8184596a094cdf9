"""kill -9 of the harness mid-run: the run stays visible as running, naming its workspace, and
--resume stores it as interrupted, removes that workspace and completes the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript
from zebench.results.models import RunRecord, RunStatus
from zebench.store import open_store
from zebench.store.queries import RunFilters

BATCH = "batch_kill9_test"


def _bench(tmp_path: Path, db: str, url: str, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": "sk-ant-api03-FAKEFAKEFAKEFAKE00000",
        "ANTHROPIC_BASE_URL": url,
        "NO_COLOR": "1",
    }
    argv = [
        sys.executable,
        "-m",
        "zebench",
        "bench",
        "--db",
        db,
        "--workspace-root",
        str(tmp_path / "ws"),
        *extra,
    ]
    return subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _runs(db: str) -> list[tuple[str, RunStatus, str | None]]:
    return [(run.run_id, run.status, run.reason) for run in _records(db)]


def _records(db: str) -> list[RunRecord]:
    store = open_store(db)
    try:
        ids = [r.run_id for r in store.list_runs(RunFilters(batch_id=BATCH)).items]
        return [store.get_run(run_id) for run_id in ids]
    finally:
        store.close()


def test_kill_9_leaves_a_running_record_and_resume_completes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'zebench.db'}"
    slow = FakeScript(default=FakeReply(text="ok"), faults=[FakeFault(at=1, kind="slow", delay_s=8)])
    with FakeLLMServer(slow) as fake:
        proc = _bench(
            tmp_path, db, fake.url, "examples", "fix-failing-tests", "--agent", "anthropic",
            "--model", "claude-haiku-4-5", "--skip-warmup", "--batch-id", BATCH, "--parallel", "1",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not fake.requests and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)  # the agent is now waiting on the slow LLM: mid-run
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    runs = _runs(db)
    assert [status for _, status, _ in runs] == [RunStatus.RUNNING]
    # The running record names the run's workspace, which the killed process left behind.
    (killed_run,) = _records(db)
    workspace = Path(killed_run.telemetry.workspace_dir or "")
    assert workspace.parent == tmp_path / "ws" and (workspace / ".git").is_dir()

    with FakeLLMServer(FakeScript(default=FakeReply(text="Nothing to do."))) as fake:
        resumed = _bench(tmp_path, db, fake.url, "--resume", BATCH)
        output, _ = resumed.communicate(timeout=180)
    assert "Traceback" not in output
    statuses = sorted(str(status) for _, status, _ in _runs(db))
    assert "running" not in statuses, output
    assert "completed" in statuses, output
    killed = [reason for _, status, reason in _runs(db) if status == RunStatus.INTERRUPTED]
    assert all(reason and "interrupted" in reason for reason in killed)
    assert dict((i, s) for i, s, _ in _runs(db))[killed_run.run_id] == RunStatus.INTERRUPTED
    # Resuming removed the killed run's workspace; the resumed run removed its own when it ended.
    assert not workspace.exists()
    harness = tmp_path / "ws" / ".harness"  # the harness's own repositories, beside the workspaces
    assert [p for p in (tmp_path / "ws").iterdir() if p != harness] == []
    assert not harness.exists() or list(harness.iterdir()) == []
