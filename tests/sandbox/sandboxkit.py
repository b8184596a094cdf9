"""A small on-disk scenario, a scripted agent and a list sink for end-to-end sandbox tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from zebench.agents import AgentOptions, AgentResult, AgentTask
from zebench.commands import CommandRunner
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.runner import pipeline
from zebench.runner.pipeline import RunSpec, run_one
from zebench.sandbox import probe_bwrap
from zebench.sandbox.detect import running_in_ci
from zebench.scenarios.model import (
    EvaluatorSpec,
    HeuristicChecks,
    HeuristicCommand,
    Scenario,
    Solution,
    ValidationCommand,
)

SOLUTION_MARKER = "SOLUTION-MARKER-4f1c9a"
HIDDEN_MARKER = "HIDDEN-MARKER-77b2e0"
ORACLE_MARKER = "ORACLE-MARKER-9d3e51"
CONTENT = "-CONTENT"  # file contents carry MARKER + CONTENT; error messages may echo a file's name


def require_bwrap() -> None:
    """Skip when bubblewrap does not work here; under CI=true fail instead, so CI cannot go green."""
    probe = probe_bwrap()
    if probe.ok:
        return
    if running_in_ci():
        pytest.fail(f"CI=true but the sandbox does not work: {probe.reason}")
    pytest.skip(f"bubblewrap does not work here: {probe.reason}")


def make_scenario(root: Path, **overrides: Any) -> Scenario:
    """``root/suite/scenarios/probe`` with a fixture, a prompt, a solution, hidden tests and oracle answers."""
    directory = root / "suite" / "scenarios" / "probe"
    fixture = directory / "repo-fixture"
    fixture.mkdir(parents=True)
    (fixture / "app.py").write_text("VALUE = 1\n")
    prompts = directory / "prompts"
    prompts.mkdir()
    (prompts / "L1-basic.md").write_text("Probe the sandbox.\n")
    solution = directory / "solution"
    solution.mkdir()
    (solution / f"{SOLUTION_MARKER}.py").write_text(f"# {SOLUTION_MARKER}{CONTENT}\nVALUE = 2\n")
    hidden = directory / "hidden_tests"
    hidden.mkdir()
    (hidden / f"test_{HIDDEN_MARKER}.py").write_text(f"# {HIDDEN_MARKER}{CONTENT}\n")
    answers = directory / "oracle-answers.json"
    answers.write_text(f'{{"q": "{ORACLE_MARKER}{CONTENT}"}}\n')
    config = directory / "scenario.yaml"
    config.write_text("id: probe\n")
    fields: dict[str, Any] = {
        "id": "probe",
        "suite": "suite",
        "title": "sandbox probe",
        "format": "design",
        "directory": directory,
        "config_file": config,
        "fixture_dir": fixture,
        "prompt_dir": prompts,
        "prompt_files": {"L1": [prompts / "L1-basic.md"]},
        "solution": Solution(kind="folder", path=solution),
        "hidden_tests_dir": hidden,
        "oracle_answers_file": answers,
        "oracle_answers": {"q": ORACLE_MARKER + CONTENT},
        "validation": [
            ValidationCommand(name="hidden", kind="test", command=f"cat test_{HIDDEN_MARKER}.py && id -u"),
        ],
        "evaluators": [EvaluatorSpec(name="heuristic_checks")],
        "heuristic_checks": HeuristicChecks(
            commands=[HeuristicCommand(name="sandboxed", command='test "$(id -u)" = 65534')]
        ),
    }
    fields.update(overrides)
    return Scenario(**fields)


@dataclass
class ScriptAgent:
    """Runs ``commands`` through the run_command tool and keeps every result, then stops."""

    commands: list[str]
    final_message: str = "done"
    name: str = "script"
    outputs: list[str] = field(default_factory=list)
    errors: list[bool] = field(default_factory=list)
    listing: str = ""

    def run(self, task: AgentTask) -> AgentResult:
        for command in self.commands:
            result = task.tools.call("run_command", {"command": command, "timeout_s": 60})
            self.outputs.append(result.content)
            self.errors.append(result.is_error)
        self.listing = task.tools.call("list_directory", {"path": ".", "recursive": True}).content
        return AgentResult(status="completed", final_message=self.final_message)


class ListSink:
    """Keeps every saved run, in order."""

    def __init__(self) -> None:
        self.runs: list[RunRecord] = []

    def save_batch(self, batch: BatchRecord) -> None:
        return None

    def save_run(self, run: RunRecord) -> None:
        self.runs.append(run.model_copy(deep=True))

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        return None


def run_agent(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    scenario: Scenario,
    agent: ScriptAgent,
    runner: CommandRunner,
) -> tuple[RunRecord, ListSink]:
    """One real ``run_one`` with ``agent`` standing in for the registry's agent."""
    monkeypatch.setattr(pipeline, "create_agent", lambda name, options: agent)
    sink = ListSink()
    spec = RunSpec(
        scenario=scenario,
        tier="L1",
        agent=agent.name,
        batch_id="batch-sandbox",
        options=AgentOptions(),
        workspace_root=tmp_path / "workspaces",
        keep_workspace=True,
    )
    record = run_one(spec, sink, command_runner=runner)
    return record, sink
