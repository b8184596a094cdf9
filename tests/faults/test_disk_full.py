"""The disk filling up: a 2 MB tmpfs holding the workspace root or the SQLite database.

Each run must end with a clear status and reason, the harness must not print a traceback, and
whatever could be stored is stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandboxkit import ListSink, ScriptAgent, make_scenario

from zebench.agents import AgentResult, AgentTask
from zebench.errors import WorkspaceError
from zebench.results.models import RunStatus
from zebench.runner import pipeline
from zebench.runner.pipeline import RunSpec, run_one
from zebench.store import open_store


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only), mostly full already."""
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave_bytes: int) -> None:
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize
    (mount / "filler").write_bytes(b"\0" * max(0, free - leave_bytes))


class BigWriter(ScriptAgent):
    """Writes a file bigger than the free space, then reports what the tool said."""

    def run(self, task: AgentTask) -> AgentResult:
        result = task.tools.call("write_file", {"path": "big.txt", "content": "x" * 3_000_000})
        self.outputs.append(result.content)
        self.errors.append(result.is_error)
        return AgentResult(status="completed", final_message="tried")


def test_workspace_disk_fills_during_the_agent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, small_disk: Path
) -> None:
    scenario = make_scenario(tmp_path, validation=[], evaluators=[], heuristic_checks=None)
    agent = BigWriter([])
    monkeypatch.setattr(pipeline, "create_agent", lambda name, options: agent)
    _fill(small_disk, 1_300_000)
    sink = ListSink()
    spec = RunSpec(scenario=scenario, tier="L1", agent="big", batch_id="b", workspace_root=small_disk / "ws")
    try:
        record = run_one(spec, sink)
    except WorkspaceError as exc:  # the diff could not be taken: stored as failed, then re-raised
        assert "No space left" in exc.one_line()
        record = sink.runs[-1]
    assert agent.errors == [True]
    assert "No space left" in agent.outputs[0]  # the agent was told, as a tool error
    assert record.status in (RunStatus.COMPLETED, RunStatus.FAILED)
    assert record.completed_at is not None and sink.runs[-1].status == record.status
    if record.status == RunStatus.FAILED:
        assert record.reason and "No space left" in record.reason
    assert "trajectory" in sink.runs[-1].artifacts  # what could be stored was stored


def test_workspace_disk_already_full(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, small_disk: Path
) -> None:
    scenario = make_scenario(tmp_path, validation=[], evaluators=[], heuristic_checks=None)
    (scenario.fixture_dir or tmp_path).joinpath("data.bin").write_bytes(os.urandom(400_000))
    monkeypatch.setattr(pipeline, "create_agent", lambda name, options: ScriptAgent([]))
    _fill(small_disk, 100_000)
    sink = ListSink()
    spec = RunSpec(scenario=scenario, tier="L1", agent="s", batch_id="b", workspace_root=small_disk / "ws")
    try:
        record = run_one(spec, sink)
    except Exception as exc:  # a ZebenchError is re-raised by design, after the run was stored
        assert "space" in str(exc).lower() or "workspace" in str(exc).lower()
        record = sink.runs[-1]
    assert record.status == RunStatus.FAILED
    assert record.reason and ("space" in record.reason.lower() or "disk" in record.reason.lower())
    assert [r.status for r in sink.runs] == [RunStatus.RUNNING, RunStatus.FAILED]


def test_database_disk_full_is_one_error_line_not_a_traceback(tmp_path: Path, small_disk: Path) -> None:
    db = small_disk / "zebench.db"
    open_store(f"sqlite:///{db}").close()  # migrated while there is room
    _fill(small_disk, 40_000)
    proc = subprocess.run(
        [sys.executable, "-m", "zebench", "bench", "examples", "fix-failing-tests", "--agent", "oracle",
         "--db", f"sqlite:///{db}", "--workspace-root", str(tmp_path / "ws"), "--skip-warmup"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert proc.returncode != 0
    assert output.count("error:") == 1 and any(
        m in output for m in ("disk is full", "No space left", "disk I/O error")
    )
    (small_disk / "filler").unlink()  # room again: the database is intact and readable
    store = open_store(f"sqlite:///{db}")
    try:
        store.list_runs()
    finally:
        store.close()
