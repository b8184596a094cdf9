"""``zebench check``: prove a suite's scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from zebench.cli.browse import JsonOption, SuitesDirOption, print_json
from zebench.cli.context import console, err_console
from zebench.cli.isolation import OfflineOption, SandboxOption, command_runners
from zebench.cli.render import fmt_score
from zebench.errors import ZebenchError
from zebench.scenarios import load_scenario, load_suite

if TYPE_CHECKING:
    from zebench.runner.proof import AgentProof, ScenarioProof


def _agent_cell(proof: AgentProof | None) -> Text:
    """``1.00 pass`` or ``0.99 fail``: a total near 1 can still be a failed run."""
    if proof is None or proof.total_score is None:
        return Text("—")
    verdict = "pass" if proof.is_successful else "fail"
    return Text(f"{fmt_score(proof.total_score)} {verdict}", style="green" if proof.is_successful else "red")


def check(
    suite: Annotated[str, typer.Argument()],
    scenario: Annotated[str | None, typer.Argument(help="One scenario; default: all of the suite.")] = None,
    repeats: Annotated[int, typer.Option(min=2, help="Validation repeats on the pristine fixture.")] = 3,
    suites_dir: SuitesDirOption = None,
    workspace_root: Annotated[Path, typer.Option("--workspace-root")] = Path("results/workspaces"),
    sandbox: SandboxOption = "auto",
    offline: OfflineOption = False,
    as_json: JsonOption = False,
) -> None:
    """Prove scenarios: prompts load, the oracle passes, echo fails, validation is not flaky."""
    from zebench.cli.fetch import prepare_scenarios
    from zebench.cli.steps_view import StepsView
    from zebench.runner.proof import ScenarioProof, prove_scenario  # heavy: only for this command

    factory = command_runners(sandbox, offline)

    ids = [scenario] if scenario else load_suite(suite, suites_dir).scenario_ids
    proofs: list[ScenarioProof] = []
    with StepsView(err_console, what="check", total=len(ids), quiet=as_json) as view:
        for scenario_id in ids:
            view.subject(f"{suite}/{scenario_id}")
            try:
                loaded = load_scenario(suite, scenario_id, suites_dir)
                # A fixture or environment that cannot be fetched is this scenario's problem.
                prepare_scenarios([loaded], quiet=as_json, view=view)
            except ZebenchError as exc:
                proofs.append(ScenarioProof(suite=suite, scenario=scenario_id, problems=[exc.one_line()]))
                view.advance()
                continue
            proofs.append(
                prove_scenario(loaded, workspace_root, repeats=repeats, runner_factory=factory, steps=view)
            )
            view.advance()
    if as_json:
        print_json(proofs)
    else:
        table = Table(header_style="bold")
        for column in ("Scenario", "Tiers", "Oracle", "Echo", "Result"):
            table.add_column(column)
        for proof in proofs:
            oracle = _agent_cell(proof.oracle)
            echo = _agent_cell(proof.echo)
            result = Text("ok", style="green") if proof.ok else Text("; ".join(proof.problems), style="red")
            table.add_row(proof.scenario, " ".join(proof.tiers), oracle, echo, result)
        console.print(table)
        passed = sum(p.ok for p in proofs)
        console.print(f"{passed} of {len(proofs)} scenario(s) proven")
    if not all(p.ok for p in proofs):
        raise typer.Exit(1)
