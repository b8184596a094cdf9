"""``zebench bench``: run a scenario with an agent, store the runs, show the results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zebench._gc import collector_paused
from zebench.cli.context import console, err_console
from zebench.cli.context_options import (
    ContextBudgetOption,
    PromptCacheOption,
    context_options,
    context_warning,
)
from zebench.cli.isolation import OfflineOption, SandboxOption, command_runners
from zebench.errors import ScenarioError, ZebenchError
from zebench.evaluators.base import evaluator_names, unknown_evaluators
from zebench.results.models import RunRecord

if TYPE_CHECKING:
    from zebench.runner.executors import Executor
    from zebench.scenarios.model import Scenario

__all__ = ["bench", "check_evaluators", "default_tier", "record_json"]
MAX_PANELS = 10  # a bigger batch gets the summary only; `zebench batch ID` has the details


def _split(values: list[str] | None) -> list[str] | None:
    """``--agents a,b --agents c`` → [a, b, c]; None when the flag was not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _store_url(db: str | None) -> str:
    """The store URL workers can reach: a relative SQLite path made absolute."""
    from zebench.store import default_db_url

    url = db or default_db_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    return url


def default_tier(scenario: Scenario) -> str:
    """The tier run when none is named (see ``zebench.runner.plan.default_tier``)."""
    from zebench.runner.plan import default_tier as plan_default_tier

    return plan_default_tier(scenario)


def _executor(
    kind: str,
    parallel: int,
    scheduler: str | None,
    db: str | None,
    sandbox: str,
    offline: bool,
    dask_wait: float | None,
) -> Executor:
    from zebench.runner.executors import LocalExecutor

    if kind == "local":
        return LocalExecutor(parallel)
    if kind == "dask":
        if not scheduler:
            raise ZebenchError("--executor dask needs --scheduler", hint="e.g. --scheduler tcp://HOST:8786")
        from zebench.runner.dask_executor import DaskExecutor

        return DaskExecutor(
            scheduler,
            _store_url(db),
            wait_s=dask_wait,
            sandbox=sandbox,
            offline=offline,
            status=lambda message: err_console.print(f"[cyan]dask:[/cyan] {message}", highlight=False),
        )
    raise ZebenchError(f"unknown executor {kind!r}", field="--executor", hint="use local or dask")


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
    data = record.model_dump(mode="json", exclude={"artifacts"})
    data["artifact_names"] = sorted(record.artifacts)
    data["score_out_of_ten"] = record.score_out_of_ten
    return data


def bench(
    suite: Annotated[str | None, typer.Argument(help="Suite name, e.g. examples.")] = None,
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="Scenario ids (folder names); or --all.")
    ] = None,
    all_scenarios: Annotated[bool, typer.Option("--all", help="Every scenario of the suite.")] = False,
    tier: Annotated[
        str | None, typer.Option(help="Prompt tier: L0, L1, L2, L3 or Lx. Default: L1, else the first.")
    ] = None,
    tiers: Annotated[list[str] | None, typer.Option("--tiers", help="Several tiers: L0,L1.")] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            help="echo (default), oracle, anthropic, openrouter, openai, replay, a CLI agent (zebench agents) or a plug-in."
        ),
    ] = None,
    agents: Annotated[list[str] | None, typer.Option("--agents", help="Several agents: a,b.")] = None,
    model: Annotated[str | None, typer.Option(help="Model id for LLM agents.")] = None,
    models: Annotated[list[str] | None, typer.Option("--models", help="Several models: m1,m2.")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="OpenAI-compatible or Anthropic endpoint.")
    ] = None,
    agent_bin: Annotated[
        str | None, typer.Option("--agent-bin", help="Run this binary instead of the CLI agent's pinned one.")
    ] = None,
    agent_command: Annotated[
        str | None,
        typer.Option(
            "--agent-command", help="The command agent's template: {prompt_file} {model} {base_url}."
        ),
    ] = None,
    iterations: Annotated[int, typer.Option(min=1, help="Run each cell N times into one batch.")] = 1,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", exists=True, dir_okay=False, help="Experiment plan (YAML).")
    ] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Run what batch ID is missing or had interrupted.")
    ] = None,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="With --resume: also re-run infra errors.")
    ] = False,
    parallel: Annotated[int, typer.Option("--parallel", min=1, help="Runs at a time (local executor).")] = 4,
    executor_kind: Annotated[str, typer.Option("--executor", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler, tcp://HOST:8786.")
    ] = None,
    dask_wait: Annotated[
        float | None,
        typer.Option(
            "--dask-wait", min=0.0, help="Seconds to wait for a Dask worker (default: keep waiting)."
        ),
    ] = None,
    batch_id: Annotated[
        str | None, typer.Option("--batch-id", help="Batch id (default batch_<unix-ms>).")
    ] = None,
    skip_warmup: Annotated[
        bool, typer.Option("--skip-warmup", help="Do not run the control validation.")
    ] = False,
    keep_workspace: Annotated[
        bool, typer.Option("--keep-workspace", help="Keep results/workspaces/<run>.")
    ] = False,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1)] = 50,
    max_tokens_total: Annotated[int | None, typer.Option("--max-tokens-total", min=1)] = None,
    max_cost: Annotated[float | None, typer.Option("--max-cost", min=0.0, help="USD per run.")] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=1.0, help="Seconds per run.")
    ] = None,
    max_model_calls: Annotated[
        int | None, typer.Option("--max-model-calls", min=1, help="Model calls per run (the gateway).")
    ] = None,
    provider_tools: Annotated[
        list[str] | None,
        typer.Option(
            "--provider-tools", help="Grant provider-side tools: web_search,code_execution,... or all."
        ),
    ] = None,
    pin_generation: Annotated[
        list[str] | None,
        typer.Option("--pin-generation", help="Pin settings at the gateway: temperature=0,max_tokens=4096."),
    ] = None,
    prompt_cache: PromptCacheOption = True,
    context_budget: ContextBudgetOption = None,
    record: Annotated[Path | None, typer.Option("--record", help="Store every model call in DIR.")] = None,
    replay: Annotated[
        Path | None,
        typer.Option("--replay", help="Serve a --record DIR back: any agent (gateway) or --agent replay."),
    ] = None,
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default results/zebench.db).")] = None,
    workspace_root: Annotated[Path, typer.Option("--workspace-root")] = Path("results/workspaces"),
    specialist: Annotated[
        str | None, typer.Option("--specialist", help="Run as this specialist template (name or path).")
    ] = None,
    templates_dir: Annotated[
        Path | None,
        typer.Option(
            "--templates-dir",
            envvar="ZEBENCH_TEMPLATES_DIR",
            help="Where template names resolve (default ./templates).",
        ),
    ] = None,
    mint_template: Annotated[
        str | None, typer.Option("--mint-template", help="Mint a snapshot of this template after the batch.")
    ] = None,
    mint_output: Annotated[
        Path | None, typer.Option("--mint-output", help="Snapshot folder for --mint-template.")
    ] = None,
    enrich_template_ref: Annotated[
        str | None, typer.Option("--enrich-template", help="Enrich this template's docs after the batch.")
    ] = None,
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    max_workspace_files: Annotated[
        int | None,
        typer.Option(
            "--max-workspace-files", min=1, help="Files an agent may leave (default: the scenario's, 100000)."
        ),
    ] = None,
    max_workspace_bytes: Annotated[
        str | None,
        typer.Option(
            "--max-workspace-bytes", help="Bytes an agent may leave, e.g. 2G (default: the scenario's, 1G)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable runs.")] = False,
    batch_details: Annotated[
        str | None,
        typer.Option(
            "--batch-details", help="Show a stored batch, as `zebench batch ID` (the seed's spelling)."
        ),
    ] = None,
) -> None:
    """Run a benchmark matrix and store every run. Exits 1 when a run does not succeed."""
    if batch_details is not None:
        from zebench.cli.browse import batch_details_alias

        batch_details_alias(batch_details, suite, db=db, as_json=as_json)
        return
    if sandbox != "none":
        from zebench.sandbox.detect import start_probe

        start_probe()  # its sandbox starts and exits while the imports below run
    # Imported here, not at module level: every other command (and --help) starts faster.
    with collector_paused():  # SQLAlchemy and the runner: see zebench._gc
        from zebench.agents import create_agent
        from zebench.cli.agents import prepare_agent
        from zebench.cli.bench_specialist import after_batch, with_specialist
        from zebench.cli.fetch import prepare_scenarios
        from zebench.cli.gateway_options import parse_pin, parse_provider_tools
        from zebench.cli.isolation import workspace_limit_flags
        from zebench.cli.onward import print_onward
        from zebench.cli.progress_view import LIMITER_PREFIX, RichProgress
        from zebench.cli.render import iterations_summary, run_panel
        from zebench.cli.sinks import open_sink
        from zebench.results.models import new_batch_id
        from zebench.runner import run_batch
        from zebench.runner.limiter import ProviderLimiters
        from zebench.runner.plan import ExperimentPlan, build_specs, expand, load_plan, load_plan_scenarios
        from zebench.runner.resume import figures_from_records, mark_stale_runs, read_batch, slots_to_run
        from zebench.scenarios import resolve_prompt
        from zebench.store import open_store

    if (mint_template is None) != (mint_output is None):
        raise ZebenchError(
            "--mint-template and --mint-output go together",
            hint="zebench bench … --mint-template T --mint-output snapshots/",
        )
    factory = command_runners(sandbox, offline)
    if retry_errors and not resume:
        raise ZebenchError(
            "--retry-errors needs --resume BATCH_ID", hint="zebench bench --resume ID --retry-errors"
        )
    if resume:
        with open_store(db) as store:  # resuming reads the batch back from the local/--db store
            resume = batch = store.resolve_id("batch", resume)  # a unique start or end will do
            state = read_batch(store, resume)
            plan = ExperimentPlan.from_metadata(state.metadata, source=f"batch {resume}")
            stale = mark_stale_runs(store, state, workspace_root=workspace_root)
        loaded = load_plan_scenarios(plan, suites_dir)
        by_id = {s.id: s for s in loaded}
        cells = expand(plan, loaded)
        todo = [
            (slot, by_id[slot.scenario], n)
            for slot, n in slots_to_run(state, [c for c, _ in cells], retry_errors=retry_errors)
        ]
        metadata = state.metadata
        if not as_json:
            err_console.print(
                f"[dim]resume {resume}: {len(stale)} stale run(s) marked interrupted, {len(todo)} to run[/dim]"
            )
    else:
        if plan_file is not None:
            plan = load_plan(plan_file)
        else:
            if suite is None:
                raise ZebenchError(
                    "name a suite (and scenarios or --all), or pass --plan or --resume",
                    hint="zebench bench examples fix-failing-tests",
                )
            if not scenarios and not all_scenarios:
                raise ZebenchError(
                    "name at least one scenario, or pass --all",
                    hint=f"zebench suites shows the scenarios of {suite}",
                )
            options = {
                "base_url": base_url,
                "max_turns": max_turns,
                "max_tokens_total": max_tokens_total,
                "max_cost_usd": max_cost,
                "time_limit_s": time_limit,
                "record_dir": record,
                "replay_dir": replay,
                "extra": {
                    key: value
                    for key, value in (("agent_bin", agent_bin), ("command", agent_command))
                    if value is not None
                }
                or None,
                "max_model_calls": max_model_calls,
                "provider_tools": parse_provider_tools(provider_tools) or None,
                "pin_generation": parse_pin(pin_generation),
                **context_options(prompt_cache, context_budget),
            }
            plan = ExperimentPlan.model_validate(
                {
                    "suite": suite,
                    "scenarios": None if all_scenarios else scenarios,
                    "tiers": _split(tiers) or ([tier] if tier else None),
                    "agents": _split(agents) or [agent or "echo"],
                    "models": _split(models) or [model],
                    "iterations": iterations,
                    "options": {
                        k: (str(v) if isinstance(v, Path) else v) for k, v in options.items() if v is not None
                    },
                }
            )
        loaded = load_plan_scenarios(plan, suites_dir)
        if plan_file is None and not specialist and not as_json:
            from zebench.cli.model_picker import with_picked_model

            plan = with_picked_model(plan)  # at a terminal, a plain openrouter run chooses its model
        batch = batch_id or new_batch_id()
        todo = [(slot, scenario, 1) for slot, scenario in expand(plan, loaded)]
        metadata = plan.to_metadata()
    for scen in loaded:
        check_evaluators(scen)
        for chosen in plan.tiers or [default_tier(scen)]:
            resolve_prompt(scen, chosen)  # a missing or ambiguous tier fails before any work
        if not as_json:
            for warning in scen.warnings:
                err_console.print(f"[yellow]warning:[/yellow] {warning}")
    prepare_scenarios(loaded, quiet=as_json)  # package fixtures and tool environments, cached
    specs = build_specs(
        plan,
        todo,
        batch,
        workspace_root=workspace_root,
        keep_workspace=keep_workspace,
        workspace_limits=workspace_limit_flags(max_workspace_files, max_workspace_bytes),
    )
    if specialist:
        specs = with_specialist(specs, specialist, templates_dir=templates_dir, agent=agent, model=model)
    distinct = {(spec.agent, spec.options.model_dump_json()): spec for spec in specs}
    for spec in distinct.values():
        built = create_agent(spec.agent, spec.options)  # a missing key or binary: one line before any work
        prepare_agent(built, quiet=as_json)
        if (ignored := context_warning(built, spec.options)) is not None:
            err_console.print(f"[yellow]warning:[/yellow] {ignored}")
    executor = _executor(executor_kind, parallel, scheduler, db, sandbox, offline, dask_wait)
    with (
        open_sink(db, console=err_console) as sink,
        _prepared(executor),
        RichProgress(
            err_console, len(specs), enabled=not as_json and err_console.is_terminal, lines=not as_json
        ) as progress,
    ):
        limiters = ProviderLimiters(parallel, on_wait=lambda p, msg: progress.event(LIMITER_PREFIX + p, msg))
        outcome = run_batch(
            batch,
            specs,
            sink,
            skip_warmup=skip_warmup,
            metadata=metadata,
            progress=progress,
            workspace_root=workspace_root,
            parallel=parallel,
            executor=executor,
            limiters=limiters,
            runner_factory=factory,
        )
        # A fresh batch's figures come from its records; a resumed one needs every attempt stored.
        figures = _figures(db, batch) if resume else figures_from_records(batch, outcome.runs)
        if figures is not None:
            outcome.batch.metadata["figures"] = figures
            sink.save_batch(outcome.batch)
    records = outcome.runs or progress.finished
    # Each run is shown beside its own scenario's control (a batch holds one per scenario).
    controls = {(c.suite, c.scenario): c for c in outcome.controls or progress.controls}
    if as_json:
        payload = [record_json(r) for r in records]
        # Plain stdout: Rich's highlighter made --json cost ~0.1 s per run on big batches.
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    else:
        panels = len(records) <= MAX_PANELS
        if panels:
            for run in records:
                console.print(run_panel(run, controls.get((run.suite, run.scenario))))
        if len(records) > 1:
            console.print(iterations_summary(records))
        if figures is not None and figures["attempts"] > figures["slots"]:
            first, final = figures["first_attempt"], figures["final"]
            console.print(
                f"first attempts: {first['successes']}/{first['runs']} succeeded {first['status_counts']}; "
                f"final: {final['successes']}/{final['runs']} {final['status_counts']}"
            )
        print_onward(console, batch, db, panels=panels and bool(records))
    if not outcome.interrupted and not outcome.errors:
        after_batch(
            batch, db, mint_template, mint_output, enrich_template_ref, templates_dir, as_json=as_json
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
    if not all(r.is_successful for r in records):
        raise typer.Exit(1)


@contextmanager
def _prepared(executor: Executor) -> Iterator[None]:
    """Check a cluster executor before the batch starts (after the store exists), close it after."""
    preflight = getattr(executor, "preflight", None)
    if callable(preflight):
        preflight()
    try:
        yield
    finally:
        close = getattr(executor, "close", None)
        if callable(close):
            close()


def _figures(db: str | None, batch: str) -> dict[str, Any] | None:
    """First-attempt and final figures, read back from the store (None with a remote sink)."""
    from zebench.cli.context import remote_url
    from zebench.runner.resume import batch_figures, read_batch
    from zebench.store import open_store

    if remote_url(db):
        return None
    with open_store(db) as store:
        return batch_figures(read_batch(store, batch))
