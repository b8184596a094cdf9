"""One run, start to finish. Every run is stored, whatever happens to it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zebench.agents import Agent, AgentOptions, AgentResult, AgentTask, create_agent, model_access_of
from zebench.commands.runner import CommandRunner, LocalCommandRunner, runner_hook
from zebench.errors import ZebenchError
from zebench.evaluators.base import BUILTIN_EVALUATORS
from zebench.packages import scenario_runtime
from zebench.results.models import RunRecord, RunStatus, utcnow
from zebench.results.trajectory import Trajectory
from zebench.runner.evaluate import add_judge_usage, run_evaluators
from zebench.runner.gateway_phase import agent_gateway, apply_verdict, record_gateway
from zebench.runner.progress import NullProgress, ProgressReporter
from zebench.runner.record_phases import record_agent_result, record_diff
from zebench.runner.sink import ResultSink
from zebench.runner.tests import read_run_tests
from zebench.sandbox.secrets import collect_secret_values, scrub_record  # isolation: _close_and_store
from zebench.scenarios import resolve_prompt
from zebench.scenarios.model import Scenario, WorkspaceLimits
from zebench.scoring import score_run
from zebench.tools import OracleAnswers, Toolbox
from zebench.validation import run_validation
from zebench.workspace import (
    Workspace,
    WorkspaceDiff,
    copy_hidden_tests,
    fill_workspace,
    remove_tree,
    reserve_workspace,
)

if TYPE_CHECKING:
    from zebench.gateway import ModelGateway

# Agent statuses whose workspace is still worth validating and scoring: the agent did some work.
_EVALUATE_AFTER = {"completed", "budget_exceeded", "timed_out"}


@dataclass
class RunSpec:
    """What to run: one scenario, tier and agent configuration, into one batch."""

    scenario: Scenario
    tier: str
    agent: str
    batch_id: str
    options: AgentOptions = field(default_factory=AgentOptions)
    workspace_root: Path = Path("results/workspaces")
    keep_workspace: bool = False
    run_id: str | None = None
    attempt: int = 1
    system_prompt: str | None = None
    specialist_name: str | None = None
    specialist_version: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    workspace_limits: WorkspaceLimits | None = None  # None: the scenario's own

    @property
    def label(self) -> str:
        return f"{self.scenario.suite}/{self.scenario.id} {self.tier} {self.agent}"


def _finish(record: RunRecord, status: RunStatus, reason: str | None) -> RunRecord:
    record.status = status
    record.reason = reason
    record.completed_at = utcnow()
    return record


def _check_cancel(cancel: threading.Event | None) -> None:
    # Only the main thread receives Ctrl-C; a parallel batch sets ``cancel`` instead, and the run
    # stops at its next phase boundary exactly as if Ctrl-C had reached it.
    if cancel is not None and cancel.is_set():
        raise KeyboardInterrupt


def _validation_commands(scenario: Scenario) -> int | None:
    """How many commands a run's validation phase runs, when that is certain: its validation
    commands, unless a heuristic check or an evaluator that is not built in may run more."""
    checks = scenario.heuristic_checks
    if checks is not None and checks.enabled and (checks.commands or checks.scripts):
        return None
    if any(spec.name not in BUILTIN_EVALUATORS for spec in scenario.evaluators):
        return None
    return len(scenario.validation)


def local_runner(scenario: Scenario) -> CommandRunner:
    """The default command runner of a scenario: on the host, with its env and tool environment."""
    runtime = scenario_runtime(scenario)
    return LocalCommandRunner(base_env={**scenario.env, **runtime.env}, path_prefix=runtime.path_prefix)


def _run_agent(
    agent: Agent, task: AgentTask, spec: RunSpec, runner: CommandRunner
) -> tuple[AgentResult, ModelGateway | None]:
    """Run the agent, behind the run's model gateway when it declares a model."""
    access = model_access_of(agent)
    with agent_gateway(access, spec.options, task.scenario, runner, run_id=task.run_id, agent=spec.agent) as (
        gateway,
        endpoint,
    ):
        task.model_endpoint = endpoint
        try:
            result = agent.run(task)
        except ZebenchError:
            raise
        except Exception as exc:
            result = AgentResult(status="failed", reason=f"agent crashed: {type(exc).__name__}: {exc}")
        if gateway is not None:
            result = apply_verdict(result, gateway)
    return result, gateway


@dataclass
class _Run:
    """One run's state, carried through its phases: where it reports, what it has built so far."""

    spec: RunSpec
    sink: ResultSink
    progress: ProgressReporter
    runner: CommandRunner
    cancel: threading.Event | None
    record: RunRecord
    started: float = field(default_factory=time.monotonic)
    trajectory: Trajectory = field(default_factory=Trajectory)
    workspace: Workspace | None = None  # set once filled: every end removes it

    @property
    def label(self) -> str:
        return self.spec.label


def _new_record(spec: RunSpec, runner: CommandRunner) -> RunRecord:
    """The run's record before any phase: what was asked for, and with which isolation."""
    scenario = spec.scenario
    record = RunRecord(
        batch_id=spec.batch_id,
        suite=scenario.suite,
        scenario=scenario.id,
        tier=spec.tier,
        agent=spec.agent,
        model=spec.options.model,
        success_threshold=scenario.success_threshold,
        attempt=spec.attempt,
        specialist_name=spec.specialist_name,
        specialist_version=spec.specialist_version,
        metadata=dict(spec.metadata),
    )
    if spec.run_id:
        record.run_id = spec.run_id
    # Which isolation the commands had is part of the evidence: a run without a sandbox says so.
    record.metadata["sandbox"] = getattr(runner, "sandbox_name", "none")
    return record


def _setup(run: _Run) -> tuple[str, Agent]:
    """The setup phase: the tier's prompt (as sent, in the record) and the agent."""
    spec = run.spec
    run.progress.phase(run.label, "setup")
    prompt = resolve_prompt(spec.scenario, spec.tier)
    run.record.prompt_sent = (
        prompt.text
        if spec.system_prompt is None
        else (f"[system]\n{spec.system_prompt}\n\n[user]\n{prompt.text}")
    )
    agent = create_agent(spec.agent, spec.options)
    return prompt.text, agent


def _open_workspace(run: _Run) -> Workspace:
    """The workspace phase: reserve the folder, store the run as running, copy the fixture in."""
    scenario = run.spec.scenario
    run.progress.phase(run.label, "workspace")
    folder = reserve_workspace(scenario, run.spec.workspace_root)
    # The running record names its folder, so --resume can remove it after a kill -9.
    run.record.telemetry.workspace_dir = str(folder)
    # The validation phase's sandbox starts now, in the background, while the record is stored,
    # the fixture copied and the agent works.
    runner_hook(run.runner, "prepare_next", folder, commands=_validation_commands(scenario))
    try:
        run.sink.save_run(run.record)  # stored as running first, so a kill -9 leaves a trace to resume from
        workspace = fill_workspace(scenario, folder)
    except BaseException:
        remove_tree(folder)  # fill_workspace removes it on its own failures; this is for the store's
        raise
    run.workspace = workspace
    return workspace


def _agent_phase(run: _Run, agent: Agent, prompt: str, workspace: Workspace) -> AgentResult:
    """The agent phase: run the agent on the workspace and record what it reported."""
    spec, record = run.spec, run.record
    oracle = OracleAnswers(spec.scenario.oracle_answers)
    toolbox = Toolbox(workspace.path, trajectory=run.trajectory, command_runner=run.runner, oracle=oracle)

    _check_cancel(run.cancel)
    run.progress.phase(run.label, "agent", spec.agent)
    run.trajectory.message("user", prompt)
    label, progress = run.label, run.progress
    task = AgentTask(
        run_id=record.run_id,
        prompt=prompt,
        workspace=workspace.path,
        scenario=spec.scenario,
        tier=spec.tier,
        tools=toolbox,
        trajectory=run.trajectory,
        system_prompt=spec.system_prompt,
        model=spec.options.model,
        extra={"on_event": lambda message: progress.event(label, message), "cancel": run.cancel},
    )
    agent_started = time.monotonic()
    agent_result, gateway = _run_agent(agent, task, spec, run.runner)
    agent_ms = int((time.monotonic() - agent_started) * 1000)
    record.oracle_questions = list(oracle.log)
    record_agent_result(record, agent_result, agent_ms, workspace.path)
    if gateway is not None:  # tokens, cost and the call log from the gateway, for every agent alike
        record_gateway(record, agent_result, gateway)
    return agent_result


def _evaluate(
    run: _Run, prompt: str, workspace: Workspace, diff: WorkspaceDiff, agent_result: AgentResult
) -> None:
    """The validation and evaluation phases: run the checks, the evaluators, and score the run."""
    scenario, record, runner, progress, label = (
        run.spec.scenario,
        run.record,
        run.runner,
        run.progress,
        run.label,
    )
    _check_cancel(run.cancel)
    progress.phase(label, "validation")
    runner_hook(runner, "next_phase")  # the agent's sandbox and all it left running end here
    copy_hidden_tests(scenario, workspace.path)
    record.validation = run_validation(
        scenario,
        workspace.path,
        runner,
        on_command=lambda name: progress.phase(label, "validation", name),
    )
    progress.phase(label, "evaluation")
    test_results = read_run_tests(record, scenario, workspace.path)
    record.evaluations = run_evaluators(
        scenario.evaluators,
        scenario=scenario,
        workspace=workspace.path,
        prompt=prompt,
        validation=record.validation,
        diff=diff.patch,
        changed_files=diff.changed_files,
        dependency_changes=diff.dependency_changes,
        agent_result=agent_result,
        command_runner=runner,
        baseline_ref=workspace.baseline_ref,
        agent_tree=workspace.snapshot_tree(),
        repo=workspace.repo,
        test_results=test_results,
    )


def _run_phases(run: _Run) -> None:
    """Every phase of the run in order, finishing its record with the run's status and reason."""
    record = run.record
    prompt, agent = _setup(run)
    _check_cancel(run.cancel)
    workspace = _open_workspace(run)
    agent_result = _agent_phase(run, agent, prompt, workspace)
    diff, limit_reason = record_diff(
        run.record, workspace, run.spec.workspace_limits or run.spec.scenario.workspace_limits
    )
    if agent_result.status not in _EVALUATE_AFTER:
        _finish(record, RunStatus(agent_result.status), agent_result.reason)
        return
    _evaluate(run, prompt, workspace, diff, agent_result)
    card = score_run(record.evaluations, run.spec.scenario.success_threshold)
    record.total_score = card.total
    record.telemetry = add_judge_usage(record.telemetry, record.evaluations)
    if limit_reason is not None:
        _finish(record, RunStatus.FAILED, limit_reason)
    elif agent_result.status == "completed":
        record.is_successful = card.is_successful
        _finish(record, RunStatus.COMPLETED, None if card.is_successful else card.reason)
    else:
        _finish(record, RunStatus(agent_result.status), agent_result.reason)


def _close_and_store(run: _Run) -> None:
    """Every end of a run: close the runner, complete the telemetry, scrub, remove the workspace, store."""
    runner_hook(run.runner, "close")
    telemetry = run.record.telemetry
    telemetry.duration_ms = int((time.monotonic() - run.started) * 1000)
    telemetry.tool_call_counts = run.trajectory.tool_call_counts()
    telemetry.tool_calls = sum(telemetry.tool_call_counts.values())
    run.record.artifacts["trajectory"] = run.trajectory.to_json()
    if run.record.completed_at is None:
        _finish(run.record, RunStatus.FAILED, "run ended unexpectedly")
    # Isolation issue (zebench.sandbox): no configured secret value or key-like string is stored.
    run.record = scrub_record(run.record, collect_secret_values())
    if run.workspace is not None:  # before the save, which may fail: every end removes it
        run.workspace.remove(background=True, keep_files=run.spec.keep_workspace)
    run.progress.phase(run.label, "store")
    try:
        run.sink.save_run(run.record)
    except KeyboardInterrupt:
        run.sink.save_run(run.record)  # a second Ctrl-C during the write must not lose the run
    run.progress.run_finished(run.record)


def run_one(
    spec: RunSpec,
    sink: ResultSink,
    *,
    progress: ProgressReporter | None = None,
    command_runner: CommandRunner | None = None,
    cancel: threading.Event | None = None,
) -> RunRecord:
    """Run one benchmark and store it.

    A ``ZebenchError`` (bad input such as a solution that does not apply) is stored as a failed
    run and then re-raised so the CLI can exit 2. Ctrl-C stores the run as interrupted and
    re-raises ``KeyboardInterrupt``; so does ``cancel`` being set, checked between phases (the
    event is also in ``task.extra["cancel"]`` for agents that can stop mid-run). Any other agent
    crash is stored as failed and returned.
    """
    runner = command_runner or local_runner(spec.scenario)
    if cancel is not None and isinstance(runner, LocalCommandRunner):
        runner = runner.with_cancel(cancel)  # a cancelled batch also stops a running command
    run = _Run(spec, sink, progress or NullProgress(), runner, cancel, _new_record(spec, runner))
    pending_error: BaseException | None = None
    try:
        _run_phases(run)
    except KeyboardInterrupt as exc:
        _finish(run.record, RunStatus.INTERRUPTED, "interrupted by the user (Ctrl-C)")
        pending_error = exc
    except ZebenchError as exc:
        _finish(run.record, RunStatus.FAILED, exc.one_line())
        pending_error = exc
    except Exception as exc:
        _finish(run.record, RunStatus.FAILED, f"harness error: {type(exc).__name__}: {exc}")
    finally:
        _close_and_store(run)
    if pending_error is not None:
        raise pending_error
    return run.record
