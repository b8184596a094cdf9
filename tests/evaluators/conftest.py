"""Fixtures for evaluator tests: a real command runner and an EvaluationContext factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from evalkit import MakeCtx

from zebench.agents.base import AgentResult
from zebench.commands import LocalCommandRunner
from zebench.evaluators.base import EvaluationContext
from zebench.results.models import CommandResult
from zebench.scenarios.model import EvaluatorSpec, Scenario, ValidationCommand
from zebench.workspace import HarnessRepo


@pytest.fixture
def runner() -> LocalCommandRunner:
    return LocalCommandRunner()


@pytest.fixture
def run_cmd(runner: LocalCommandRunner) -> Callable[..., CommandResult]:
    """Run a real validation command: ``run_cmd(workspace, "cmd", kind="test", timeout_s=...)``."""

    def run(workspace: Path, command: str, *, kind: Any = "custom", timeout_s: float = 60.0) -> CommandResult:
        return runner.run(command, workspace, kind=kind, timeout_s=timeout_s)

    return run


@pytest.fixture
def make_ctx(tmp_path: Path, runner: LocalCommandRunner) -> MakeCtx:
    """Build an :class:`EvaluationContext` for one evaluator over a workspace."""

    def make(
        evaluator: str,
        workspace: Path | None = None,
        *,
        validation: list[CommandResult] | None = None,
        config: dict[str, Any] | None = None,
        weight: float = 1.0,
        required: bool = False,
        baseline_ref: str | None = None,
        repo: HarnessRepo | None = None,
        agent_tree: str | None = None,
        validation_commands: list[ValidationCommand] | None = None,
        **scenario_fields: Any,
    ) -> EvaluationContext:
        ws = workspace or tmp_path / "ws"
        ws.mkdir(parents=True, exist_ok=True)
        scenario = Scenario(
            id="upgrade-react",
            suite="demo",
            title="Upgrade React",
            format="design",
            directory=tmp_path,
            config_file=tmp_path / "scenario.yaml",
            validation=validation_commands or [],
            **scenario_fields,
        )
        return EvaluationContext(
            scenario=scenario,
            spec=EvaluatorSpec(name=evaluator, weight=weight, required=required, config=config or {}),
            workspace=ws,
            prompt="do the task",
            validation=validation or [],
            diff="",
            changed_files=[],
            dependency_changes=[],
            agent_result=AgentResult(),
            command_runner=runner,
            baseline_ref=baseline_ref,
            repo=repo,
            agent_tree=agent_tree,
        )

    return make
