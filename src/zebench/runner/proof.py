"""Proving a scenario: its prompts load, the oracle passes, echo fails, validation is deterministic,
and (with F2P/P2P lists) the oracle resolves it, echo does not, and the control shows the F2P tests failing."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from zebench.errors import ZebenchError
from zebench.evaluators.base import unknown_evaluators
from zebench.grading.lock import LOCK_FILE, scenario_digest
from zebench.results.models import ControlResult
from zebench.runner.executors import RunnerFactory
from zebench.runner.pipeline import RunSpec, local_runner, run_one
from zebench.runner.plan import default_tier
from zebench.runner.sink import DiscardSink
from zebench.runner.warmup import run_warmup
from zebench.scenarios import resolve_prompt
from zebench.scenarios.model import Scenario


class AgentProof(BaseModel):
    agent: str
    status: str
    total_score: float | None = None
    is_successful: bool = False
    reason: str | None = None
    resolved_score: float | None = None  # the resolved evaluator's score, when the scenario has it
    resolution: str | None = None  # its summary, e.g. "partial: 3/5 fail-to-pass"
    fail_to_pass_passed: str | None = None  # "0/1": the fail-to-pass tests this agent made pass


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
    control: ControlResult | None = None  # validation with the hidden tests on the pristine fixture
    fail_to_pass: int = 0
    pass_to_pass: int = 0
    flaky_tests: int = 0
    locked: bool = False  # the lists come from tests.lock.json


def _agent_proof(
    scenario: Scenario, agent: str, tier: str, workspace_root: Path, runner_factory: RunnerFactory
) -> AgentProof:
    spec = RunSpec(scenario=scenario, tier=tier, agent=agent, batch_id="check", workspace_root=workspace_root)
    try:
        record = run_one(spec, DiscardSink(), command_runner=runner_factory(scenario))
    except ZebenchError as exc:
        return AgentProof(agent=agent, status="failed", reason=exc.one_line())
    resolved = next((e for e in record.evaluations if e.name == "resolved"), None)
    return AgentProof(
        agent=agent,
        status=record.status.value,
        total_score=record.total_score,
        is_successful=record.is_successful,
        reason=record.reason,
        resolved_score=resolved.score if resolved is not None else None,
        resolution=resolved.summary if resolved is not None else None,
        fail_to_pass_passed=_f2p_fraction(resolved.details) if resolved is not None else None,
    )


def _f2p_fraction(details: dict[str, object]) -> str | None:
    f2p = details.get("fail_to_pass")
    return f"{f2p.get('passed')}/{f2p.get('total')}" if isinstance(f2p, dict) else None


def flaky_validation(
    scenario: Scenario, workspace_root: Path, repeats: int = 3, runner_factory: RunnerFactory = local_runner
) -> tuple[list[str], ControlResult | None]:
    """Validation commands whose outcome differs across ``repeats`` controls (the pristine fixture
    with the hidden tests), and the first control."""
    outcomes: dict[str, set[tuple[int | None, bool]]] = {}
    runner = runner_factory(scenario)
    first: ControlResult | None = None
    for _ in range(repeats):
        control = run_warmup(scenario, workspace_root, runner)  # closes the runner: a fresh sandbox each
        first = first or control
        for result in control.commands:
            outcomes.setdefault(result.name, set()).add((result.exit_code, result.timed_out))
    return sorted(name for name, seen in outcomes.items() if len(seen) > 1), _brief(first)


CONTROL_OUTPUT_TAIL = 2000  # characters of each command's output a proof keeps


def _brief(control: ControlResult | None) -> ControlResult | None:
    """The control with only the tail of each command's output: a proof is read, not archived."""
    if control is None:
        return None
    commands = [
        c.model_copy(
            update={"stdout": c.stdout[-CONTROL_OUTPUT_TAIL:], "stderr": c.stderr[-CONTROL_OUTPUT_TAIL:]}
        )
        for c in control.commands
    ]
    return control.model_copy(update={"commands": commands})


def _grading_problems(scenario: Scenario, proof: ScenarioProof) -> list[str]:
    """What the F2P/P2P lists prove or fail to: a stale lock, a resolving echo, a control that passes."""
    problems: list[str] = []
    uses_resolved = any(spec.name == "resolved" for spec in scenario.evaluators)
    if uses_resolved and not scenario.has_test_lists:
        problems.append("the resolved evaluator has no fail_to_pass list: run zebench check --lock")
    if scenario.tests_lock_file is not None and scenario.tests_lock_digest != scenario_digest(scenario):
        problems.append(
            f"{LOCK_FILE} is stale (validation, hidden tests, solution or fixture changed): run zebench check --lock"
        )
    for agent, expected in ((proof.oracle, 1.0), (proof.echo, 0.0)):
        if agent is not None and uses_resolved and agent.resolved_score != expected:
            verb = "does not resolve" if expected else "resolves"
            problems.append(f"the {agent.agent} agent {verb} the scenario: {agent.resolution}")
    control = proof.control
    passing = control.tests.f2p_passed if control is not None and control.tests is not None else None
    if scenario.fail_to_pass and passing:
        problems.append(f"{passing} fail-to-pass test(s) already pass on the pristine fixture")
    return problems


def prove_scenario(
    scenario: Scenario,
    workspace_root: Path,
    *,
    repeats: int = 3,
    runner_factory: RunnerFactory = local_runner,
) -> ScenarioProof:
    """Check one scenario end to end. ``ok`` is False when any proof fails.

    Commands run through ``runner_factory`` (the CLI passes the ``--sandbox`` mode's), so a scenario
    is proven under the isolation its benchmark runs get.
    """
    proof = ScenarioProof(
        suite=scenario.suite,
        scenario=scenario.id,
        tiers=scenario.tiers,
        fail_to_pass=len(scenario.fail_to_pass),
        pass_to_pass=len(scenario.pass_to_pass),
        flaky_tests=len(scenario.flaky_tests),
        locked=scenario.tests_lock_file is not None,
    )
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
        proof.oracle = _agent_proof(scenario, "oracle", tier, workspace_root, runner_factory)
        if not proof.oracle.is_successful:
            proof.problems.append(
                f"the oracle agent does not succeed: {proof.oracle.reason or proof.oracle.status}"
            )
    proof.echo = _agent_proof(scenario, "echo", tier, workspace_root, runner_factory)
    if proof.echo.is_successful:
        proof.problems.append(
            "the echo agent succeeds without changing anything: the scenario proves nothing"
        )
    proof.flaky_commands, proof.control = flaky_validation(scenario, workspace_root, repeats, runner_factory)
    if proof.flaky_commands:
        proof.problems.append(f"flaky validation command(s): {', '.join(proof.flaky_commands)}")
    proof.problems += _grading_problems(scenario, proof)
    proof.ok = not proof.problems
    return proof
