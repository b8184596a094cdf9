"""``zebench mine REPO``: proven scenarios from a git history, with a progress bar and a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import JsonOption, print_json
from zebench.cli.context import console, err_console
from zebench.cli.isolation import OfflineOption, SandboxOption, command_runners
from zebench.errors import ZebenchError

if TYPE_CHECKING:
    from zebench.llm.types import LLMClient
    from zebench.mining import Decision, LLMPrompts, MiningReport, MiningSetup

DEFAULT_LLM_MODELS = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "gpt-4.1-mini",
    "openrouter": "anthropic/claude-sonnet-4.6",
}

TestCommandOption = Annotated[
    str | None, typer.Option("--test-command", help="The validation command; default: detected.")
]
EnvironmentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--environment",
        help="An exact pin for the test environment (NAME==1.2.3, npm:NAME@1.2.3); repeat it. "
        "Default: the repository's declared test dependencies, pinned as resolved today.",
    ),
]
LLMPromptsOption = Annotated[
    bool, typer.Option("--llm-prompts", help="Have an LLM write an L2 prompt (never shown the diff).")
]
LLMProviderOption = Annotated[str, typer.Option("--llm-provider", help="anthropic, openai or openrouter.")]
LLMModelOption = Annotated[str | None, typer.Option("--llm-model", help="The model for --llm-prompts.")]
WorkspaceRootOption = Annotated[Path, typer.Option("--workspace-root")]


def mining_setup(
    repo_path: Path,
    suite_dir: Path,
    *,
    test_command: str | None,
    environment: list[str] | None,
    llm_prompts: bool,
    llm_provider: str,
    llm_model: str | None,
    sandbox: str,
    offline: bool,
    workspace_root: Path,
) -> MiningSetup:
    """The shared setup of ``mine`` and ``new scenario --from-commit``; bad options raise here."""
    from zebench.mining import MiningSetup, SourceRepo
    from zebench.mining.environment import parse_pins

    python, npm = parse_pins(environment) if environment else (None, None)
    llm = _llm(llm_provider, llm_model) if llm_prompts else None
    return MiningSetup(
        repo=SourceRepo(repo_path),
        suite_dir=suite_dir.absolute(),
        runner_factory=command_runners(sandbox, offline),
        workspace_root=workspace_root.absolute(),
        test_command=test_command,
        python_pins=python,
        npm_pins=npm,
        llm=llm,
    )


def _llm(provider: str, model: str | None) -> LLMPrompts:
    from zebench.llm import create_client
    from zebench.llm.config import PROVIDERS
    from zebench.mining import LLMPrompts

    if provider not in PROVIDERS:
        raise ZebenchError(
            f"unknown provider {provider!r}",
            field="--llm-provider",
            hint=f"use one of: {', '.join(PROVIDERS)}",
        )
    chosen = next(p for p in PROVIDERS if p == provider)
    create_client(chosen, max_retries=0)  # a missing key fails now, once, not for every commit

    def factory() -> LLMClient:
        return create_client(chosen, max_retries=3)

    return LLMPrompts(client_factory=factory, model=model or DEFAULT_LLM_MODELS[provider])


def mine(
    repo: Annotated[Path, typer.Argument(help="A local git clone to mine.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The suite folder to write (created).")],
    since: Annotated[
        str | None, typer.Option("--since", help="Only commits after this date (git's --since).")
    ] = None,
    paths: Annotated[
        list[str] | None, typer.Option("--paths", help="Only commits touching these paths; repeat it.")
    ] = None,
    max_files: Annotated[
        int | None, typer.Option("--max-files", min=1, help="Reject commits changing more files.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Examine at most this many candidates, newest first.")
    ] = None,
    rev: Annotated[str, typer.Option("--rev", help="Mine the history of this revision.")] = "HEAD",
    test_command: TestCommandOption = None,
    environment: EnvironmentOption = None,
    llm_prompts: LLMPromptsOption = False,
    llm_provider: LLMProviderOption = "anthropic",
    llm_model: LLMModelOption = None,
    parallel: Annotated[
        int, typer.Option("--parallel", min=1, max=64, help="Candidates proven at once.")
    ] = 2,
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    workspace_root: WorkspaceRootOption = Path("results/workspaces"),
    as_json: JsonOption = False,
) -> None:
    """Turn a git history into proven scenarios: each commit changing tests and source is a candidate."""
    from zebench.mining import CandidateFilter
    from zebench.mining import mine as run_mine

    setup = mining_setup(
        repo, output, test_command=test_command, environment=environment, llm_prompts=llm_prompts,
        llm_provider=llm_provider, llm_model=llm_model, sandbox=sandbox, offline=offline,
        workspace_root=workspace_root,
    )  # fmt: skip
    selection = CandidateFilter(rev=rev, since=since, paths=paths or [], max_files=max_files, limit=limit)
    setup.repo.resolve(rev)  # an unknown revision is bad input before anything runs
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(),
        TextColumn("kept {task.fields[kept]}"), TimeElapsedColumn(),
        console=err_console, transient=True, disable=as_json,
    )  # fmt: skip
    task = progress.add_task("mining", total=None, kept=0)
    kept = 0

    def on_total(todo: int, done: int) -> None:
        progress.update(task, total=todo)
        if done and not as_json:
            err_console.print(f"[dim]resuming: {done} candidate(s) already decided[/dim]")

    def on_decision(decision: Decision) -> None:
        nonlocal kept
        kept += decision.status == "kept"
        progress.update(task, advance=1, kept=kept, description=f"mining (last: {decision.commit[:10]})")

    with progress:
        report = run_mine(setup, selection, parallel=parallel, on_total=on_total, on_decision=on_decision)
    if as_json:
        print_json(report)
    else:
        _print_report(report, output)
    if report.kept == 0:
        raise typer.Exit(1)


def _print_report(report: MiningReport, output: Path) -> None:
    table = Table(header_style="bold")
    for column in ("Commit", "Subject", "Decision", "Scenario / reason"):
        table.add_column(column)
    for d in report.decisions:
        style = "green" if d.status == "kept" else "red"
        table.add_row(
            d.commit[:10], Text(d.subject[:60]), Text(d.status, style=style), Text(d.scenario or d.reason)
        )
    console.print(table)
    console.print(
        f"{report.kept} kept, {report.rejected} rejected in {report.seconds:.0f} s; "
        f"report: {output / 'mining-report.md'}",
        soft_wrap=True,
    )
    if report.kept:
        console.print(
            f"prove again: zebench check {output.name} --suites-dir {output.parent}", soft_wrap=True
        )
