"""The pure pieces behind issue 17's dashboard points: row charts, the batch grid, control readings,
the suites catalogue and the store's cost-kind counts."""

from __future__ import annotations

from dashboard_seed import IMG, SCRIPT, make_run

from zebench.dashboard.catalog import suite_catalog
from zebench.dashboard.charts import Bar, hbar_chart
from zebench.dashboard.matrix import batch_matrix, read_control
from zebench.results.models import CommandResult, ControlResult
from zebench.scenarios import discover_suites
from zebench.store.queries import BreakdownRow, RunSummary

LONG = "examples / bump-dependency-pins / with a label far longer than the old 26-character cut"


def test_row_chart_keeps_every_label_whole_and_escaped() -> None:
    chart = str(
        hbar_chart(
            [Bar(LONG, 0.8), Bar(IMG, 0.2, tooltip=SCRIPT), Bar("judge", 0.0, note="not scored")],
            title="t",
            x_label="mean score",
            marker=0.7,
        )
    )
    assert LONG.replace("/", "/<wbr>") in chart and "…" not in chart
    assert "<img" not in chart and "<script" not in chart and "&lt;script&gt;" in chart
    assert chart.count('class="row-label"') == 3 and "not scored" in chart
    assert chart.count('width="80"') == 1  # 0.8 of a 100-unit track
    assert chart.count('class="chart-marker"') == 3 and 'x1="70"' in chart
    assert chart.count("<rect") == 3 + 2  # a background per row, a bar for each scored row


def _summary(scenario: str, tier: str, agent: str, score: float, n: int) -> RunSummary:
    run = make_run(0, n, run_id=f"run_{n}", scenario=scenario, tier=tier, agent=agent, model=None,
                   total_score=score, is_successful=score >= 0.7)  # fmt: skip
    return RunSummary(**run.model_dump(include=set(RunSummary.model_fields) - {"evaluations"}))


def test_batch_matrix_groups_cells_and_links_single_runs_to_the_run() -> None:
    runs = [
        _summary("a", "L1", "oracle", 1.0, 1),
        _summary("a", "L1", "echo", 0.0, 2),
        _summary("a", "L1", "echo", 0.5, 3),
        _summary("b", "L2", "oracle", 1.0, 4),
    ]
    matrix = batch_matrix("batch_x", runs)
    assert matrix is not None and matrix.several_tiers
    assert matrix.columns == [("echo", None), ("oracle", None)]
    assert matrix.rows == [("examples", "a", "L1"), ("examples", "b", "L2")]
    echo = matrix.cells[("examples", "a", "L1")][("echo", None)]
    assert (echo.runs, echo.successes, echo.mean_score) == (2, 0, 0.25)
    assert echo.href == "/runs?batch=batch_x&suite=examples&scenario=a&tier=L1&agent=echo"
    assert matrix.cells[("examples", "b", "L2")][("oracle", None)].href == "/runs/run_4"
    assert ("echo", None) not in matrix.cells[("examples", "b", "L2")]
    assert batch_matrix("batch_x", runs[:1]) is None  # one scenario, one agent: no grid


def _control(*commands: CommandResult) -> ControlResult:
    return ControlResult(suite="s", scenario="x", commands=list(commands), passed=all(c.ok for c in commands))


def test_control_readings() -> None:
    ok = CommandResult(name="lint", command="ruff .", exit_code=0)
    failing = CommandResult(name="tests", command="pytest", exit_code=1)
    assert read_control(_control(ok)).kind == "passes"
    intended = read_control(_control(ok, failing))
    assert intended.kind == "intended" and "fails tests" in intended.explanation
    for broken in (
        CommandResult(name="install", command="pnpm i", exit_code=127),
        CommandResult(name="tests", command="./run", exit_code=126),
        CommandResult(name="tests", command="pytest", exit_code=None, timed_out=True),
        CommandResult(name="tests", command="pytest", error="command not found"),
    ):
        reading = read_control(_control(failing, broken))
        assert reading.kind == "broken" and f"({broken.name})" in reading.explanation


def _row(suite: str, scenario: str | None = None, tier: str | None = None, runs: int = 2) -> BreakdownRow:
    key: dict[str, str | None] = {"suite": suite}
    if scenario:
        key.update(scenario=scenario, tier=tier)
    return BreakdownRow(key=key, runs=runs, successes=1, mean_score=0.5)


def test_suite_catalog_lists_suites_on_disk_and_those_known_only_from_runs() -> None:
    suites = discover_suites(None)
    catalog = suite_catalog(
        suites,
        [_row("examples", runs=6), _row("gone", runs=1)],
        [_row("examples", "fix-lint-errors", "L1"), _row("examples", "fix-lint-errors", "L2"),
         _row("examples", "old-one", "L1"), _row("gone", "x", "L0", runs=1)],
    )  # fmt: skip
    by_name = {e.name: e for e in catalog}
    assert {"examples", "realworld", "gone"} <= set(by_name)
    examples = {s.scenario: s for s in by_name["examples"].scenarios}
    assert examples["fix-lint-errors"].runs == 4 and examples["fix-lint-errors"].tiers == ["L0", "L1", "L2"]
    assert examples["old-one"].on_disk is False and examples["bump-dependency-pins"].runs == 0
    assert by_name["gone"].source == "not on disk" and by_name["realworld"].source == "bundled"
