"""Workspaces never outlive their run: every end of a run removes its folder (unless
--keep-workspace), and --resume removes the folders of runs a killed process left, but only
folders that really are the workspace root's own."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sandboxkit import ListSink, make_scenario

from zebench._threads import background_thread
from zebench.agents import AgentResult, AgentTask
from zebench.errors import StoreError, ZebenchError
from zebench.results.models import BatchRecord, RunRecord, RunStatus, Telemetry
from zebench.runner import pipeline
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.resume import mark_stale_runs, owned_workspace, read_batch
from zebench.store import open_store


@dataclass
class EndingAgent:
    """Ends its run one way: a status, or an exception it raises."""

    status: str = "completed"
    raises: BaseException | None = None

    def run(self, task: AgentTask) -> AgentResult:
        (task.workspace / "left-by-the-agent.txt").write_text("x")
        if self.raises is not None:
            raise self.raises
        return AgentResult(status=self.status, final_message="done")  # type: ignore[arg-type]


class FailingFinalSave(ListSink):
    """Stores the running record, then refuses the final one (the store went away)."""

    def save_run(self, run: RunRecord) -> None:
        if run.status != RunStatus.RUNNING:
            raise StoreError("the store is gone")
        super().save_run(run)


ENDS = {
    "completed": (EndingAgent(), None, RunStatus.COMPLETED),
    "failed": (EndingAgent(raises=RuntimeError("boom")), None, RunStatus.FAILED),
    "timed_out": (EndingAgent(status="timed_out"), None, RunStatus.TIMED_OUT),
    "budget": (EndingAgent(status="budget_exceeded"), None, RunStatus.BUDGET_EXCEEDED),
    "ctrl_c": (EndingAgent(raises=KeyboardInterrupt()), KeyboardInterrupt, RunStatus.INTERRUPTED),
    "bad_input": (EndingAgent(raises=ZebenchError("no such thing")), ZebenchError, RunStatus.FAILED),
    "store_gone": (EndingAgent(), StoreError, None),
}


def _folders(root: Path) -> list[Path]:
    background_thread("workspace-remover").submit(lambda: None).result()  # pending removals done
    if not root.exists():
        return []
    # Workspaces, and the harness's own repositories kept beside them in .harness/.
    harness = root / ".harness"
    return sorted(
        [p for p in root.iterdir() if p != harness] + (list(harness.iterdir()) if harness.exists() else [])
    )


@pytest.mark.parametrize("keep", [False, True], ids=["removed", "kept"])
@pytest.mark.parametrize("end", list(ENDS))
def test_every_end_of_a_run_removes_its_workspace(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, end: str, keep: bool
) -> None:
    agent, raised, status = ENDS[end]
    monkeypatch.setattr(pipeline, "create_agent", lambda name, options: agent)
    scenario = make_scenario(tmp_path, validation=[], evaluators=[], heuristic_checks=None)
    root = tmp_path / "ws"
    sink = FailingFinalSave() if end == "store_gone" else ListSink()
    spec = RunSpec(
        scenario=scenario, tier="L1", agent="e", batch_id="b", workspace_root=root, keep_workspace=keep
    )
    if raised is None:
        run_one(spec, sink)
    else:
        with pytest.raises(raised):
            run_one(spec, sink)
    running = sink.runs[0]
    assert running.status == RunStatus.RUNNING
    folder = Path(running.telemetry.workspace_dir or "")  # the first record names the folder
    assert folder.parent == root.absolute()
    if status is not None:
        assert sink.runs[-1].status == status
    if keep:
        assert _folders(root) == [folder] and (folder / "left-by-the-agent.txt").is_file()
    else:
        assert _folders(root) == []


def _stale(run_id: str, workspace_dir: str | None) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        batch_id="batch_stale",
        suite="s",
        scenario="c",
        tier="L1",
        agent="a",
        status=RunStatus.RUNNING,
        metadata={"slot": run_id, "host": "elsewhere", "pid": 1},  # a process that is gone
        telemetry=Telemetry(workspace_dir=workspace_dir),
    )


def test_resume_removes_only_the_roots_own_workspace_folders(tmp_path: Path) -> None:
    root = tmp_path / "results" / "workspaces"
    mine = root / "examples-fix-abc12345"
    (mine / "src").mkdir(parents=True)
    (mine / "src" / "a.py").write_text("x")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    (root / "a" / "b").mkdir(parents=True)
    os.symlink(precious, root / "link")
    stored = {
        "run_mine": str(mine),
        "run_outside": str(precious),
        "run_dotdot": f"{root}/../../precious",
        "run_root": str(root),
        "run_link": str(root / "link"),
        "run_nested": str(root / "a" / "b"),
        "run_relative": "results/workspaces/examples-fix-abc12345",
        "run_none": None,
        "run_gone": str(root / "examples-fix-gone0000"),
    }
    with open_store(f"sqlite:///{tmp_path / 'z.db'}") as store:
        store.save_batch(BatchRecord(batch_id="batch_stale"))
        store.save_runs([_stale(run_id, path) for run_id, path in stored.items()])
        marked = mark_stale_runs(store, read_batch(store, "batch_stale"), workspace_root=root)
        assert sorted(marked) == sorted(stored)
        assert {store.get_run(i).status for i in stored} == {RunStatus.INTERRUPTED}
    assert not mine.exists()
    assert (precious / "keep.txt").read_text() == "keep"
    assert (root / "link").is_symlink() and (root / "a" / "b").is_dir() and root.is_dir()


def test_owned_workspace_follows_the_root_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "results" / "workspaces" / "s-c-00000000"
    folder.mkdir(parents=True)
    relative_root = Path("results/workspaces")  # bench's default, as the CLI passes it
    assert owned_workspace(str(folder), relative_root) == folder.resolve()
    assert owned_workspace(str(folder), tmp_path / "elsewhere") is None
    assert owned_workspace(str(folder / ".."), relative_root) is None
