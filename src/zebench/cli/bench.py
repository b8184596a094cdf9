"""``zebench bench``: run a scenario with an agent, store the runs, show the results.

The steps live in siblings: ``bench_options`` (the options), ``bench_plan`` (what to run) and
``bench_run`` (running it); this module checks, orders and reports them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from zebench._gc import collector_paused
from zebench.cli.bench_options import (
    AgentBinOption,
    AgentCommandOption,
    AgentOption,
    AgentsOption,
    AllScenariosOption,
    BaseUrlOption,
    BatchDetailsOption,
    BatchIdOption,
    BenchFlags,
    DaskWaitOption,
    DbOption,
    EnrichTemplateOption,
    ExecutorOption,
    IterationsOption,
    JsonOption,
    KeepWorkspaceOption,
    MaxCostOption,
    MaxModelCallsOption,
    MaxTokensTotalOption,
    MaxTurnsOption,
    MaxWorkspaceBytesOption,
    MaxWorkspaceFilesOption,
    MintOutputOption,
    MintTemplateOption,
    ModelOption,
    ModelsOption,
    ParallelOption,
    PinGenerationOption,
    PlanOption,
    ProviderToolsOption,
    RecordOption,
    ReplayOption,
    ResumeOption,
    RetryErrorsOption,
    ScenariosArgument,
    SchedulerOption,
    SkipWarmupOption,
    SpecialistOption,
    SuiteArgument,
    SuitesDirOption,
    TemplatesDirOption,
    TierOption,
    TiersOption,
    TimeLimitOption,
    WorkspaceRootOption,
)
from zebench.cli.context import console, err_console
from zebench.cli.context_options import ContextBudgetOption, PromptCacheOption
from zebench.cli.isolation import OfflineOption, SandboxOption, command_runners
from zebench.errors import ScenarioError, ZebenchError
from zebench.evaluators.base import evaluator_names, unknown_evaluators
from zebench.results.models import RunRecord

if TYPE_CHECKING:
    from zebench.cli.bench_plan import BatchPlan
    from zebench.cli.bench_run import BatchResult
    from zebench.commands.runner import CommandRunner
    from zebench.scenarios.model import Scenario

__all__ = ["bench", "check_evaluators", "default_tier", "record_json"]
MAX_PANELS = 10  # a bigger batch gets the summary only; `zebench batch ID` has the details


def default_tier(scenario: Scenario) -> str:
    """The tier run when none is named (see ``zebench.runner.plan.default_tier``)."""
    from zebench.runner.plan import default_tier as plan_default_tier

    return plan_default_tier(scenario)


def check_evaluators(scenario: Scenario) -> None:
    """Every evaluator the scenario names must exist, before any work starts."""
    unknown = unknown_evaluators([spec.name for spec in scenario.evaluators])
    if unknown:
        raise ScenarioError(
            f"unknown evaluator {unknown[0]!r}",
            file=scenario.config_file,
            field="evaluators",
            hint=f"use one of: {', '.join(evaluator_names())}",
        )


def record_json(record: RunRecord) -> dict[str, object]:
    """A run as ``--json`` prints it: artifact names instead of their contents, and the x/10 score."""
    data = record.model_dump(mode="json", exclude={"artifacts"})
    data["artifact_names"] = sorted(record.artifacts)
    data["score_out_of_ten"] = record.score_out_of_ten
    return data


def bench(
    suite: SuiteArgument = None,
    scenarios: ScenariosArgument = None,
    all_scenarios: AllScenariosOption = False,
    tier: TierOption = None,
    tiers: TiersOption = None,
    agent: AgentOption = None,
    agents: AgentsOption = None,
    model: ModelOption = None,
    models: ModelsOption = None,
    base_url: BaseUrlOption = None,
    agent_bin: AgentBinOption = None,
    agent_command: AgentCommandOption = None,
    iterations: IterationsOption = 1,
    plan_file: PlanOption = None,
    resume: ResumeOption = None,
    retry_errors: RetryErrorsOption = False,
    parallel: ParallelOption = 4,
    executor_kind: ExecutorOption = "local",
    scheduler: SchedulerOption = None,
    dask_wait: DaskWaitOption = None,
    batch_id: BatchIdOption = None,
    skip_warmup: SkipWarmupOption = False,
    keep_workspace: KeepWorkspaceOption = False,
    max_turns: MaxTurnsOption = 50,
    max_tokens_total: MaxTokensTotalOption = None,
    max_cost: MaxCostOption = None,
    time_limit: TimeLimitOption = None,
    max_model_calls: MaxModelCallsOption = None,
    provider_tools: ProviderToolsOption = None,
    pin_generation: PinGenerationOption = None,
    prompt_cache: PromptCacheOption = True,
    context_budget: ContextBudgetOption = None,
    record: RecordOption = None,
    replay: ReplayOption = None,
    suites_dir: SuitesDirOption = None,
    db: DbOption = None,
    workspace_root: WorkspaceRootOption = Path("results/workspaces"),
    specialist: SpecialistOption = None,
    templates_dir: TemplatesDirOption = None,
    mint_template: MintTemplateOption = None,
    mint_output: MintOutputOption = None,
    enrich_template_ref: EnrichTemplateOption = None,
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    max_workspace_files: MaxWorkspaceFilesOption = None,
    max_workspace_bytes: MaxWorkspaceBytesOption = None,
    as_json: JsonOption = False,
    batch_details: BatchDetailsOption = None,
) -> None:
    """Run a benchmark matrix and store every run. Exits 1 when a run does not succeed."""
    # Every parameter by name, taken before any other local exists: BenchFlags has one field per option.
    flags = BenchFlags(**locals())
    if flags.batch_details is not None:
        from zebench.cli.browse import batch_details_alias

        batch_details_alias(flags.batch_details, flags.suite, db=flags.db, as_json=flags.as_json)
        return
    _run_bench(flags)


def _run_bench(flags: BenchFlags) -> None:
    """Check the flags, plan the batch, check its scenarios and agents, run it, report, exit."""
    if flags.sandbox != "none":
        from zebench.sandbox.detect import start_probe

        start_probe()  # its sandbox starts and exits while the imports below run
    # Imported here, not at module level: every other command (and --help) starts faster.
    with collector_paused():  # SQLAlchemy and the runner: see zebench._gc
        from zebench.cli import bench_plan, bench_run
        from zebench.cli.fetch import prepare_scenarios

    runner_factory = _checked_runner_factory(flags)
    planned = bench_plan.plan_batch(flags)
    _check_scenarios(planned, quiet=flags.as_json)
    # Package fixtures and tool environments, cached.
    prepare_scenarios(planned.scenarios, quiet=flags.as_json)
    specs = bench_run.batch_specs(flags, planned)
    bench_run.check_agents(specs, quiet=flags.as_json)
    executor = bench_run.make_executor(flags)
    result = bench_run.run_planned_batch(flags, planned, specs, executor, runner_factory)
    if flags.as_json:
        _print_json(result.records)
    else:
        _print_results(result, planned.batch, flags.db)
    _finish(flags, planned.batch, result)


def _checked_runner_factory(flags: BenchFlags) -> Callable[[Scenario], CommandRunner]:
    """Reject flags that need a partner, and build the command runners ``--sandbox`` asks for."""
    if (flags.mint_template is None) != (flags.mint_output is None):
        raise ZebenchError(
            "--mint-template and --mint-output go together",
            hint="zebench bench … --mint-template T --mint-output snapshots/",
        )
    factory = command_runners(flags.sandbox, flags.offline)
    if flags.retry_errors and not flags.resume:
        raise ZebenchError(
            "--retry-errors needs --resume BATCH_ID", hint="zebench bench --resume ID --retry-errors"
        )
    return factory


def _check_scenarios(planned: BatchPlan, *, quiet: bool) -> None:
    """Evaluators and tiers of every scenario, before any work; its warnings unless ``quiet``."""
    from zebench.scenarios import resolve_prompt

    for scen in planned.scenarios:
        check_evaluators(scen)
        for chosen in planned.plan.tiers or [default_tier(scen)]:
            resolve_prompt(scen, chosen)  # a missing or ambiguous tier fails before any work
        if not quiet:
            for warning in scen.warnings:
                err_console.print(f"[yellow]warning:[/yellow] {warning}")


def _print_json(records: list[RunRecord]) -> None:
    """The runs as JSON on stdout: one object for one run, else a list."""
    payload = [record_json(r) for r in records]
    # Plain stdout: Rich's highlighter made --json cost ~0.1 s per run on big batches.
    typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))


def _print_results(result: BatchResult, batch: str, db: str | None) -> None:
    """A panel per run (for a small batch), the batch summary, retry figures and what to do next."""
    from zebench.cli.onward import print_onward
    from zebench.cli.render import iterations_summary, run_panel

    records, figures = result.records, result.figures
    panels = len(records) <= MAX_PANELS
    if panels:
        for run in records:
            console.print(run_panel(run, result.controls.get((run.suite, run.scenario))))
    if len(records) > 1:
        console.print(iterations_summary(records))
    if figures is not None and figures["attempts"] > figures["slots"]:
        first, final = figures["first_attempt"], figures["final"]
        console.print(
            f"first attempts: {first['successes']}/{first['runs']} succeeded {first['status_counts']}; "
            f"final: {final['successes']}/{final['runs']} {final['status_counts']}"
        )
    print_onward(console, batch, db, panels=panels and bool(records))


def _finish(flags: BenchFlags, batch: str, result: BatchResult) -> None:
    """Mint or enrich after a clean batch; then exit 130 (or the stop reason) when interrupted,
    with the first bad-input error, or 1 when a run did not succeed."""
    from zebench.cli.bench_specialist import after_batch

    outcome = result.outcome
    if not outcome.interrupted and not outcome.errors:
        after_batch(
            batch,
            flags.db,
            flags.mint_template,
            flags.mint_output,
            flags.enrich_template_ref,
            flags.templates_dir,
            as_json=flags.as_json,
        )
    if outcome.interrupted:
        label = "stopped" if outcome.stop_reason else "interrupted"
        err_console.print(
            f"[yellow]{label}:[/yellow] in-flight runs were stored as interrupted; "
            f"batch {batch} can be resumed with: zebench bench --resume {batch}"
        )
        if outcome.stop_reason is not None:
            raise outcome.stop_reason
        raise typer.Exit(130)
    if outcome.errors:
        raise outcome.errors[0]
    if not all(r.is_successful for r in result.records):
        raise typer.Exit(1)
