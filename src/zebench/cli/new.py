"""``zebench new suite`` and ``zebench new scenario``: scaffolds that load and run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zebench.cli.context import console, err_console
from zebench.cli.isolation import OfflineOption, SandboxOption
from zebench.cli.mine import (
    EnvironmentOption,
    LLMModelOption,
    LLMPromptsOption,
    LLMProviderOption,
    TestCommandOption,
    WorkspaceRootOption,
    mining_setup,
)
from zebench.errors import ZebenchError
from zebench.scenarios import scaffold_scenario, scaffold_suite

new_app = typer.Typer(help="Create a suite or scenario scaffold.", no_args_is_help=True)


def _root(suites_dir: Path | None) -> Path:
    return suites_dir or Path("suites")


@new_app.command("suite")
def new_suite(
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
) -> None:
    """Create suites/NAME with an empty scenarios folder."""
    path = scaffold_suite(name, _root(suites_dir))
    console.print(f"created suite {path}")
    console.print(f"next: zebench new scenario {name} my-scenario")


@new_app.command("scenario")
def new_scenario(
    suite: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: Annotated[Path | None, typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR")] = None,
    from_commit: Annotated[
        str | None,
        typer.Option("--from-commit", help="REPO@SHA: mine this commit of a local clone instead (proven)."),
    ] = None,
    test_command: TestCommandOption = None,
    environment: EnvironmentOption = None,
    llm_prompts: LLMPromptsOption = False,
    llm_provider: LLMProviderOption = "anthropic",
    llm_model: LLMModelOption = None,
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    workspace_root: WorkspaceRootOption = Path("results/workspaces"),
) -> None:
    """Create a scenario with tier prompts, a fixture, a solution folder and oracle answers.

    With --from-commit REPO@SHA the scenario is that commit, mined and proven as `zebench mine` does.
    """
    if from_commit is not None:
        _from_commit(
            suite, name, _root(suites_dir), from_commit, test_command=test_command, environment=environment,
            llm_prompts=llm_prompts, llm_provider=llm_provider, llm_model=llm_model, sandbox=sandbox,
            offline=offline, workspace_root=workspace_root,
        )  # fmt: skip
        console.print(f"prove it again: zebench check {suite} {name} --suites-dir {_root(suites_dir)}")
        return
    path = scaffold_scenario(suite, name, _root(suites_dir))
    console.print(f"created scenario {path}")
    console.print(
        f"prove it: zebench check {suite} {name}" + (f" --suites-dir {suites_dir}" if suites_dir else "")
    )


def _from_commit(suite: str, name: str, root: Path, spec: str, **options: Any) -> None:
    from zebench.mining import mine_candidate
    from zebench.scenarios.scaffold import check_name

    check_name(suite, "suite")
    check_name(name, "scenario")
    repo_path, at, rev = spec.rpartition("@")
    if not at or not repo_path or not rev:
        raise ZebenchError(f"'{spec}' is not REPO@SHA", field="--from-commit", hint="e.g. ../toolz@5a7e078")
    target = root / suite / "scenarios" / name
    if target.exists():
        raise ZebenchError("the scenario already exists", file=target, hint="pick another name")
    setup = mining_setup(Path(repo_path), root / suite, **options)
    commit = setup.repo.commit(rev)
    with err_console.status(f"mining {commit.short} (lock, then proof; this takes minutes)…"):
        decision = mine_candidate(setup, commit, name)
    if decision.status != "kept":
        err_console.print(f"[red]rejected[/red] {commit.short}: {decision.reason}", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"created scenario {target} ({decision.reason}, {decision.seconds:.0f} s)", soft_wrap=True)
