"""``zebench bench``: run a scenario with an agent, store the runs, show the results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from zebench.agents import AgentOptions, create_agent
from zebench.cli.context import console, err_console
from zebench.cli.progress_view import RichProgress
from zebench.cli.render import iterations_summary, run_panel
from zebench.cli.sinks import open_sink
from zebench.errors import ScenarioError
from zebench.evaluators.base import evaluator_names
from zebench.results.models import RunRecord, new_batch_id
from zebench.runner import RunSpec, run_batch
from zebench.scenarios import load_scenario, resolve_prompt
from zebench.scenarios.model import Scenario


def default_tier(scenario: Scenario) -> str:
    """L1 when the scenario has it (a typical user request), else its first tier."""
    tiers = scenario.tiers
    if not tiers:
        raise ScenarioError(
            "scenario has no prompts", file=scenario.directory, hint="add prompts/L1-basic.md"
        )
    return "L1" if "L1" in tiers else tiers[0]


def check_evaluators(scenario: Scenario) -> None:
    """Every evaluator the scenario names must exist, before any work starts."""
    known = set(evaluator_names())
    for spec in scenario.evaluators:
        if spec.name not in known:
            raise ScenarioError(
                f"unknown evaluator {spec.name!r}",
                file=scenario.config_file,
                field="evaluators",
                hint=f"use one of: {', '.join(sorted(known))}",
            )


def record_json(record: RunRecord) -> dict[str, object]:
    data = record.model_dump(mode="json", exclude={"artifacts"})
    data["artifact_names"] = sorted(record.artifacts)
    data["score_out_of_ten"] = record.score_out_of_ten
    return data


def bench(
    suite: Annotated[str, typer.Argument(help="Suite name, e.g. examples.")],
    scenario: Annotated[str, typer.Argument(help="Scenario id (its folder name).")],
    tier: Annotated[str | None, typer.Option(help="Prompt tier: L0, L1, L2, L3 or Lx. Default: L1, else the first.")] = None,
    agent: Annotated[str, typer.Option(help="echo, oracle, anthropic, openrouter, openai, claude-code, replay or a plug-in.")] = "echo",
    model: Annotated[str | None, typer.Option(help="Model id for LLM agents.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible or Anthropic endpoint.")] = None,
    iterations: Annotated[int, typer.Option(min=1, help="Run N times into one batch.")] = 1,
    batch_id: Annotated[str | None, typer.Option("--batch-id", help="Batch id (default batch_<unix-ms>).")] = None,
    skip_warmup: Annotated[bool, typer.Option("--skip-warmup", help="Do not run the control validation.")] = False,
    keep_workspace: Annotated[bool, typer.Option("--keep-workspace", help="Keep results/workspaces/<run>.")] = False,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1)] = 50,
    max_tokens_total: Annotated[int | None, typer.Option("--max-tokens-total", min=1)] = None,
    max_cost: Annotated[float | None, typer.Option("--max-cost", min=0.0, help="USD per run.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=1.0, help="Seconds per run.")] = None,
    record: Annotated[Path | None, typer.Option("--record", help="Store every LLM exchange in DIR.")] = None,
    replay: Annotated[Path | None, typer.Option("--replay", help="Recording to replay with --agent replay.")] = None,
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default results/zebench.db).")] = None,
    workspace_root: Annotated[Path, typer.Option("--workspace-root")] = Path("results/workspaces"),
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable runs.")] = False,
) -> None:
    """Run a benchmark and store every run. Exits 1 when a run does not succeed."""
    loaded = load_scenario(suite, scenario, suites_dir)
    check_evaluators(loaded)
    chosen_tier = tier or default_tier(loaded)
    resolve_prompt(loaded, chosen_tier)  # a missing or ambiguous tier fails before any work
    if not as_json:
        for warning in loaded.warnings:
            err_console.print(f"[yellow]warning:[/yellow] {warning}")
    options = AgentOptions(
        model=model,
        base_url=base_url,
        max_turns=max_turns,
        max_tokens_total=max_tokens_total,
        max_cost_usd=max_cost,
        time_limit_s=time_limit,
        record_dir=record,
        replay_dir=replay,
    )
    create_agent(agent, options)  # a missing key or binary is a one-line error before any work
    batch = batch_id or new_batch_id()
    specs = [
        RunSpec(
            scenario=loaded,
            tier=chosen_tier,
            agent=agent,
            batch_id=batch,
            options=options,
            workspace_root=workspace_root,
            keep_workspace=keep_workspace,
        )
        for _ in range(iterations)
    ]
    metadata = {
        "suite": suite,
        "scenarios": [scenario],
        "tiers": [chosen_tier],
        "agents": [agent],
        "models": [model],
        "iterations": iterations,
    }
    with open_sink(db, console=err_console) as sink, RichProgress(
        err_console, len(specs), enabled=not as_json and err_console.is_terminal
    ) as progress:
        outcome = run_batch(
            batch,
            specs,
            sink,
            skip_warmup=skip_warmup,
            metadata=metadata,
            progress=progress,
            workspace_root=workspace_root,
        )
    records = outcome.runs or progress.finished
    control = outcome.controls[0] if outcome.controls else None
    if as_json:
        payload = [record_json(r) for r in records]
        console.print_json(json.dumps(payload[0] if len(payload) == 1 else payload))
    else:
        for run in records:
            console.print(run_panel(run, control))
        if iterations > 1:
            console.print(iterations_summary(records))
        console.print(f"[dim]Details: zebench batch {batch}[/dim]")
    if outcome.interrupted:
        err_console.print(
            f"[yellow]interrupted:[/yellow] the current run was stored as interrupted; "
            f"batch {batch} can be resumed with: zebench bench --resume {batch}"
        )
        raise typer.Exit(130)
    if not all(r.is_successful for r in records):
        raise typer.Exit(1)
