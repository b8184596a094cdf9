"""``zebench check``: prove a suite's scenarios, and with ``--lock`` write their F2P/P2P lists first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import JsonOption, SuitesDirOption, print_json
from zebench.cli.context import console, err_console
from zebench.cli.isolation import OfflineOption, SandboxOption, command_runners
from zebench.cli.tests_view import control_line
from zebench.errors import ScenarioError, ZebenchError
from zebench.scenarios import load_scenario, load_suite
from zebench.scoring.display import format_score

if TYPE_CHECKING:
    from zebench.runner.executors import RunnerFactory
    from zebench.runner.proof import AgentProof, ScenarioProof
    from zebench.scenarios.model import Scenario
    from zebench.scenarios.test_lists import TestsLock


def _agent_cell(proof: AgentProof | None) -> Text:
    """``1.00 pass`` or ``0.99 fail`` (scores round down: a failed run never reads 1.00), and the
    resolution when the scenario grades by F2P/P2P: ``resolved 0 · partial: 1/2 fail-to-pass``."""
    if proof is None or proof.total_score is None:
        return Text("—")
    verdict = "pass" if proof.is_successful else "fail"
    cell = Text(
        f"{format_score(proof.total_score)} {verdict}", style="green" if proof.is_successful else "red"
    )
    if proof.resolved_score is not None:
        cell.append(f"\nresolved {format_score(proof.resolved_score, 0)}", style="bold")
        if proof.fail_to_pass_passed:
            cell.append(f" (F2P {proof.fail_to_pass_passed})", style="dim")
    return cell


def _lists_cell(proof: ScenarioProof) -> Text:
    if not proof.fail_to_pass and not proof.pass_to_pass:
        return Text("—", style="dim")
    text = Text(f"F2P {proof.fail_to_pass} · P2P {proof.pass_to_pass}")
    if proof.flaky_tests:
        text.append(f" · {proof.flaky_tests} flaky", style="yellow")
    text.append(" (lock)" if proof.locked else " (inline)", style="dim")
    return text


def lock_one(
    scenario: Scenario, workspace_root: Path, factory: RunnerFactory, repeats: int, *, quiet: bool
) -> TestsLock:
    """Compute the scenario's lock with a progress bar and write it when it has no problems."""
    from zebench.grading.lock import compute_lock, write_lock

    if scenario.tests_lock_file is None and scenario.has_test_lists:
        raise ScenarioError(
            "the scenario lists fail_to_pass/pass_to_pass itself; --lock writes tests.lock.json instead",
            file=scenario.config_file,
            field="fail_to_pass",
            hint="remove the fail_to_pass and pass_to_pass keys to lock, or keep them and check without --lock",
        )
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, TimeElapsedColumn(), console=err_console, disable=quiet, transient=True) as bar:
        task = bar.add_task(f"locking {scenario.key}", total=2 * repeats)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"locking {scenario.key}: {what}")

        lock = compute_lock(
            scenario,
            workspace_root=workspace_root,
            runner_factory=factory,
            repeats=repeats,
            progress=progress,
        )
    if lock.ok:
        path = write_lock(scenario.directory, lock)
        if not quiet:
            err_console.print(
                f"[green]locked[/green] {scenario.key}: {len(lock.fail_to_pass)} fail-to-pass, "
                f"{len(lock.pass_to_pass)} pass-to-pass, {len(lock.flaky)} flaky → {path}"
            )
    return lock


def check(
    suite: Annotated[str, typer.Argument()],
    scenario: Annotated[str | None, typer.Argument(help="One scenario; default: all of the suite.")] = None,
    repeats: Annotated[
        int, typer.Option(min=2, max=20, help="Repeats on the pristine fixture (and of the lock).")
    ] = 3,
    lock: Annotated[
        bool,
        typer.Option(
            "--lock",
            help="First write tests.lock.json: run validation with the hidden tests on the pristine fixture "
            "and with the solution, --repeats times each, and keep the fail-to-pass and pass-to-pass tests.",
        ),
    ] = False,
    suites_dir: SuitesDirOption = None,
    workspace_root: Annotated[Path, typer.Option("--workspace-root")] = Path("results/workspaces"),
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    as_json: JsonOption = False,
) -> None:
    """Prove scenarios: prompts load, the oracle passes, echo fails, validation is not flaky; with
    F2P/P2P lists, the oracle resolves, echo does not and the control shows the F2P tests failing."""
    from zebench.cli.fetch import prepare_scenarios
    from zebench.runner.proof import ScenarioProof, prove_scenario  # heavy: only for this command

    factory = command_runners(sandbox, offline)

    ids = [scenario] if scenario else load_suite(suite, suites_dir).scenario_ids
    proofs: list[ScenarioProof] = []
    for scenario_id in ids:
        if not as_json:
            err_console.print(f"[dim]checking {suite}/{scenario_id}…[/dim]")
        try:
            loaded = load_scenario(suite, scenario_id, suites_dir)
            # A fixture or environment that cannot be fetched is this scenario's problem.
            prepare_scenarios([loaded], quiet=as_json)
            if lock:
                locked = lock_one(loaded, workspace_root, factory, repeats, quiet=as_json)
                if not locked.ok:
                    problems = [f"cannot lock: {p}" for p in locked.problems]
                    proofs.append(ScenarioProof(suite=suite, scenario=scenario_id, problems=problems))
                    continue
                loaded = load_scenario(suite, scenario_id, suites_dir)  # with its new lists
        except ZebenchError as exc:
            proofs.append(ScenarioProof(suite=suite, scenario=scenario_id, problems=[exc.one_line()]))
            continue
        proofs.append(prove_scenario(loaded, workspace_root, repeats=repeats, runner_factory=factory))
    if as_json:
        print_json(proofs)
    else:
        console.print(_proofs_table(proofs))
        passed = sum(p.ok for p in proofs)
        console.print(f"{passed} of {len(proofs)} scenario(s) proven")
    if not all(p.ok for p in proofs):
        raise typer.Exit(1)


def _proofs_table(proofs: list[ScenarioProof]) -> Table:
    table = Table(header_style="bold")
    for column in ("Scenario", "Tiers", "Tests", "Control (pristine)", "Oracle", "Echo", "Result"):
        table.add_column(column, overflow="fold")
    for proof in proofs:
        result = Text("ok", style="green") if proof.ok else Text("; ".join(proof.problems), style="red")
        control = control_line(proof.control, names=False) if proof.control else Text("—", style="dim")
        table.add_row(
            proof.scenario,
            " ".join(proof.tiers),
            _lists_cell(proof),
            control,
            _agent_cell(proof.oracle),
            _agent_cell(proof.echo),
            result,
        )
    return table
