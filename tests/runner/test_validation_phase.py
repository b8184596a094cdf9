"""How many commands a run's validation phase will run, as the pipeline tells its runner ahead."""

from __future__ import annotations

from zebench.runner.pipeline import _validation_commands
from zebench.scenarios import load_scenario
from zebench.scenarios.model import EvaluatorSpec, HeuristicChecks, HeuristicCommand, HeuristicFile


def test_the_count_is_the_validation_commands_when_nothing_else_runs_commands() -> None:
    scenario = load_scenario("examples", "fix-failing-tests")
    assert _validation_commands(scenario) == len(scenario.validation) == 1
    # File checks read the workspace, they run no command: the count stands.
    files = HeuristicChecks(files=[HeuristicFile(name="readme", path="README.md")])
    assert _validation_commands(scenario.model_copy(update={"heuristic_checks": files})) == 1


def test_the_count_is_unknown_when_a_check_or_a_plug_in_may_run_commands() -> None:
    scenario = load_scenario("examples", "fix-failing-tests")
    commands = HeuristicChecks(commands=[HeuristicCommand(name="lint", command="true")])
    assert _validation_commands(scenario.model_copy(update={"heuristic_checks": commands})) is None
    off = commands.model_copy(update={"enabled": False})
    assert _validation_commands(scenario.model_copy(update={"heuristic_checks": off})) == 1
    plugin = [*scenario.evaluators, EvaluatorSpec(name="a-plug-in", weight=1)]
    assert _validation_commands(scenario.model_copy(update={"evaluators": plugin})) is None
