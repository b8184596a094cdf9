from __future__ import annotations

from pathlib import Path

import pytest

from zebench.agents import AgentOptions, AgentTask, create_agent
from zebench.agents.builtin import EchoAgent, OracleAgent
from zebench.commands import LocalCommandRunner
from zebench.errors import WorkspaceError
from zebench.results.trajectory import Trajectory
from zebench.scenarios.model import Scenario, Solution
from zebench.tools import Toolbox
from zebench.workspace import prepare_workspace


def _scenario(tmp_path: Path, solution: Solution | None) -> Scenario:
    fixture = tmp_path / "scenario" / "repo"
    fixture.mkdir(parents=True)
    (fixture / "app.py").write_text("VALUE = 1\n")
    config = tmp_path / "scenario" / "scenario.yaml"
    config.write_text("id: s\n")
    return Scenario(
        id="s",
        suite="t",
        title="T",
        format="design",
        directory=tmp_path / "scenario",
        config_file=config,
        fixture_dir=fixture,
        solution=solution,
    )


def _task(tmp_path: Path, scenario: Scenario) -> AgentTask:
    ws = prepare_workspace(scenario, tmp_path / "ws")
    trajectory = Trajectory()
    return AgentTask(
        run_id="run_1",
        prompt="Set VALUE to 2.",
        workspace=ws.path,
        scenario=scenario,
        tier="L1",
        tools=Toolbox(ws.path, trajectory=trajectory, command_runner=LocalCommandRunner()),
        trajectory=trajectory,
    )


def test_echo_changes_nothing(tmp_path: Path) -> None:
    task = _task(tmp_path, _scenario(tmp_path, None))
    agent = create_agent("echo", AgentOptions())
    assert isinstance(agent, EchoAgent) and agent.name == "echo"
    result = agent.run(task)
    assert result.status == "completed" and result.final_message == "Set VALUE to 2."
    assert (task.workspace / "app.py").read_text() == "VALUE = 1\n"


def test_oracle_applies_the_folder_solution(tmp_path: Path) -> None:
    solution_dir = tmp_path / "scenario" / "solution"
    solution_dir.mkdir(parents=True)
    (solution_dir / "app.py").write_text("VALUE = 2\n")
    task = _task(tmp_path, _scenario(tmp_path, Solution(kind="folder", path=solution_dir)))
    agent = create_agent("oracle", AgentOptions())
    assert isinstance(agent, OracleAgent) and agent.name == "oracle"
    result = agent.run(task)
    assert result.status == "completed"
    assert (task.workspace / "app.py").read_text() == "VALUE = 2\n"
    notes = [s for s in task.trajectory.steps if s.type == "note"]
    assert len(notes) == 1 and "folder solution" in str(notes[0].content)


def test_oracle_without_solution_raises(tmp_path: Path) -> None:
    task = _task(tmp_path, _scenario(tmp_path, None))
    with pytest.raises(WorkspaceError, match="no reference solution"):
        OracleAgent(AgentOptions()).run(task)
