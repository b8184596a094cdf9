"""``zebench new suite`` and ``zebench new scenario``: scaffolds that load and run."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

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

if TYPE_CHECKING:
    from zebench.packages.scaffold import PackageScenario

new_app = typer.Typer(help="Create a suite or scenario scaffold.", no_args_is_help=True)
SuitesDirOption = Annotated[
    Path | None,
    typer.Option("--suites-dir", envvar="ZEBENCH_SUITES_DIR", help="Suites folder (default ./suites)."),
]


def _root(suites_dir: Path | None) -> Path:
    return suites_dir or Path("suites")


def _command(*words: str, suites_dir: Path | None) -> str:
    """A zebench command line that works as printed: quoted, and naming the suites folder used."""
    extra = ["--suites-dir", str(suites_dir)] if suites_dir is not None else []
    return shlex.join(["zebench", *words, *extra])


@new_app.command("suite")
def new_suite(
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: SuitesDirOption = None,
) -> None:
    """Create suites/NAME with an empty scenarios folder."""
    path = scaffold_suite(name, _root(suites_dir))
    console.print(f"created suite {path}", soft_wrap=True, markup=False)
    console.print(
        f"next: {_command('new', 'scenario', name, 'my-scenario', suites_dir=suites_dir)}",
        soft_wrap=True,
        markup=False,
    )


@new_app.command("scenario")
def new_scenario(
    suite: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Argument(help="kebab-case name")],
    suites_dir: SuitesDirOption = None,
    from_package: Annotated[
        str | None,
        typer.Option(
            "--from-package",
            help="Build on a published release, pinned by hash: NAME==VERSION (PyPI) or npm:NAME@VERSION.",
        ),
    ] = None,
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
    """Create a scenario with tier prompts, a fixture, a solution and oracle answers.

    With --from-package, the fixture is a published release: downloaded, pinned by its hash. With
    --from-commit REPO@SHA the scenario is that commit, mined and proven as `zebench mine` does.
    """
    check = _command("check", suite, name, suites_dir=suites_dir)
    if from_package is not None and from_commit is not None:
        raise ZebenchError(
            "--from-package and --from-commit build a scenario two different ways",
            field="--from-commit",
            hint="give one of them",
        )
    if from_commit is not None:
        _from_commit(
            suite, name, _root(suites_dir), from_commit, test_command=test_command, environment=environment,
            llm_prompts=llm_prompts, llm_provider=llm_provider, llm_model=llm_model, sandbox=sandbox,
            offline=offline, workspace_root=workspace_root,
        )  # fmt: skip
        console.print(f"prove it again: {check}", soft_wrap=True, markup=False)
        return
    if from_package is None:
        path = scaffold_scenario(suite, name, _root(suites_dir))
        console.print(f"created scenario {path}", soft_wrap=True, markup=False)
        console.print(f"prove it: {check}", soft_wrap=True, markup=False)
        return
    from zebench.packages.scaffold import scaffold_from_package

    with err_console.status(f"downloading {from_package}…"):
        made = scaffold_from_package(suite, name, _root(suites_dir), from_package)
    _report_package_scenario(made, check)


def _report_package_scenario(made: PackageScenario, check: str) -> None:
    fixture = made.fixture
    archive = "sdist" if fixture.registry == "pypi" else "tarball"
    console.print(f"created scenario {made.directory}", soft_wrap=True, markup=False)
    console.print(
        f"  pinned {fixture.requirement}: {fixture.pin_field.removeprefix('fixture.')} {fixture.pin_value}",
        soft_wrap=True,
        markup=False,
    )
    if made.test_paths:
        console.print(
            f"  the {archive} contains tests: {', '.join(made.test_paths)} "
            f"({made.test_files} test file{'' if made.test_files == 1 else 's'}); validation runs them",
            soft_wrap=True,
            markup=False,
        )
    else:
        console.print(
            f"  [yellow]the {archive} contains no tests[/yellow]: copy the project's tests at "
            f"{escape(fixture.version)} from its repository into tests-hidden/ (see scenario.yaml)",
            soft_wrap=True,
        )
    console.print(
        "next: write the prompts and the upstream fix as solution.patch, then prove it: " + check,
        soft_wrap=True,
        markup=False,
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
