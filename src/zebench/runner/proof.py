"""Proving a scenario: its prompts load, the oracle passes, echo fails, validation is deterministic."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from zebench.commands.runner import runner_hook
from zebench.errors import ZebenchError
from zebench.evaluators.base import unknown_evaluators
from zebench.runner.executors import RunnerFactory
from zebench.runner.pipeline import RunSpec, local_runner, run_one
from zebench.runner.plan import default_tier
from zebench.runner.sink import DiscardSink
from zebench.scenarios import resolve_prompt
from zebench.scenarios.model import Scenario
from zebench.steps import NO_STEPS, StepReporter
from zebench.validation import run_validation
from zebench.workspace import prepare_workspace


class AgentProof(BaseModel):
    agent: str
    status: str
    total_score: float | None = None
    is_successful: bool = False
    reason: str | None = None


class ScenarioProof(BaseModel):
    """The outcome of ``zebench check`` for one scenario."""

    suite: str
    scenario: str
    ok: bool = False
    tiers: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    oracle: AgentProof | None = None
    echo: AgentProof | None = None
    flaky_commands: list[str] = Field(default_factory=list)


def _agent_proof(
    scenario: Scenario, agent: str, tier: str, workspace_root: Path, runner_factory: RunnerFactory
) -> AgentProof:
    spec = RunSpec(scenario=scenario, tier=tier, agent=agent, batch_id="check", workspace_root=workspace_root)
    try:
        record = run_one(spec, DiscardSink(), command_runner=runner_factory(scenario))
    except ZebenchError as exc:
        return AgentProof(agent=agent, status="failed", reason=exc.one_line())
    return AgentProof(
        agent=agent,
        status=record.status.value,
        total_score=record.total_score,
        is_successful=record.is_successful,
        reason=record.reason,
    )


def flaky_validation(
    scenario: Scenario,
    workspace_root: Path,
    repeats: int = 3,
    runner_factory: RunnerFactory = local_runner,
    steps: StepReporter = NO_STEPS,
) -> list[str]:
    """Validation commands whose outcome differs across ``repeats`` runs on the pristine fixture;
    each repeat is a step reported to ``steps``."""
    outcomes: dict[str, set[tuple[int | None, bool]]] = {}
    runner = runner_factory(scenario)
    for repeat in range(1, repeats + 1):
        with steps.step(f"validation on the pristine fixture, repeat {repeat} of {repeats}"):
            workspace = prepare_workspace(scenario, workspace_root)
            try:
                for result in run_validation(scenario, workspace.path, runner):
                    outcomes.setdefault(result.name, set()).add((result.exit_code, result.timed_out))
            finally:
                runner_hook(runner, "close")  # each repeat gets a fresh sandbox
                workspace.remove()
    return sorted(name for name, seen in outcomes.items() if len(seen) > 1)


def prove_scenario(
    scenario: Scenario,
    workspace_root: Path,
    *,
    repeats: int = 3,
    runner_factory: RunnerFactory = local_runner,
    steps: StepReporter = NO_STEPS,
) -> ScenarioProof:
    """Check one scenario end to end. ``ok`` is False when any proof fails.

    Commands run through ``runner_factory`` (the CLI passes the ``--sandbox`` mode's), so a scenario
    is proven under the isolation its benchmark runs get. The oracle run, the echo run and each
    validation repeat are steps reported to ``steps`` as they start.
    """
    proof = ScenarioProof(suite=scenario.suite, scenario=scenario.id, tiers=scenario.tiers)
    if not scenario.tiers:
        proof.problems.append("no tier prompts found")
    for tier in scenario.tiers:
        try:
            resolve_prompt(scenario, tier)
        except ZebenchError as exc:
            proof.problems.append(exc.one_line())
    unknown = unknown_evaluators([spec.name for spec in scenario.evaluators])
    if unknown:
        proof.problems.append(f"unknown evaluator(s): {', '.join(unknown)}")
    if not scenario.evaluators:
        proof.problems.append("no evaluators: nothing would be scored")
    if proof.problems:
        return proof
    tier = default_tier(scenario)
    if scenario.solution is None:
        proof.problems.append("no solution for the oracle agent (add solution/, solution.patch or solve.sh)")
    else:
        with steps.step(f"oracle run ({tier})"):
            proof.oracle = _agent_proof(scenario, "oracle", tier, workspace_root, runner_factory)
        if not proof.oracle.is_successful:
            proof.problems.append(
                f"the oracle agent does not succeed: {proof.oracle.reason or proof.oracle.status}"
            )
    with steps.step(f"echo run ({tier})"):
        proof.echo = _agent_proof(scenario, "echo", tier, workspace_root, runner_factory)
    if proof.echo.is_successful:
        proof.problems.append(
            "the echo agent succeeds without changing anything: the scenario proves nothing"
        )
    proof.flaky_commands = flaky_validation(scenario, workspace_root, repeats, runner_factory, steps)
    if proof.flaky_commands:
        proof.problems.append(f"flaky validation command(s): {', '.join(proof.flaky_commands)}")
    proof.ok = not proof.problems
    return proof
