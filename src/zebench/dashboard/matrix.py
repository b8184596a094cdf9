"""The batch page's scenario × agent grid and the reading of warmup controls.

Both are pure functions over a ``BatchDetail`` (the batch's runs and controls are already loaded
for the page), so they cost no extra query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from urllib.parse import quote, urlencode

from zebench.results.models import CommandResult, ControlResult
from zebench.scenarios.model import tier_sort_key
from zebench.store.queries import RunSummary

# Exit codes a shell gives when the command itself could not run (not executable, not found).
_CANNOT_RUN = {126, 127}

AgentKey = tuple[str, str | None]
RowKey = tuple[str, str, str]  # suite, scenario, tier


@dataclass(frozen=True)
class Cell:
    """The runs of one scenario (and tier) by one agent / model: their mean score and pass count."""

    runs: int
    successes: int
    mean_score: float | None
    href: str  # the single run, or the batch's runs filtered to this cell


@dataclass(frozen=True)
class Matrix:
    """Rows (suite, scenario, tier) × columns (agent, model); ``cells[row][column]`` may be missing."""

    rows: list[RowKey]
    columns: list[AgentKey]
    cells: dict[RowKey, dict[AgentKey, Cell]]
    several_tiers: bool


def _cell_href(batch_id: str, row: RowKey, column: AgentKey, runs: Sequence[RunSummary]) -> str:
    if len(runs) == 1:
        return "/runs/" + quote(runs[0].run_id, safe="")
    params = {"batch": batch_id, "suite": row[0], "scenario": row[1], "tier": row[2], "agent": column[0]}
    if column[1]:
        params["model"] = column[1]
    return "/runs?" + urlencode(params)


def batch_matrix(batch_id: str, runs: Sequence[RunSummary]) -> Matrix | None:
    """The grid of a batch with more than one scenario, tier or agent / model; None otherwise."""
    groups: dict[RowKey, dict[AgentKey, list[RunSummary]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        groups[(run.suite, run.scenario, run.tier)][(run.agent, run.model)].append(run)
    columns = sorted({c for row in groups.values() for c in row}, key=lambda c: (c[0], c[1] or ""))
    rows = sorted(groups, key=lambda r: (r[0], r[1], tier_sort_key(r[2])))
    if len(rows) * len(columns) <= 1:
        return None
    cells: dict[RowKey, dict[AgentKey, Cell]] = {}
    for row in rows:
        cells[row] = {}
        for column, members in groups[row].items():
            scores = [r.total_score for r in members if r.total_score is not None]
            cells[row][column] = Cell(
                runs=len(members),
                successes=sum(r.is_successful for r in members),
                mean_score=fmean(scores) if scores else None,
                href=_cell_href(batch_id, row, column, members),
            )
    return Matrix(rows, columns, cells, several_tiers=len({r[2] for r in rows}) > 1)


@dataclass(frozen=True)
class ControlReading:
    """What a warmup result means: ``kind`` is passes, fails-as-intended or broken."""

    kind: str
    label: str
    explanation: str


def _cannot_run(command: CommandResult) -> bool:
    return (
        command.error is not None
        or command.timed_out
        or command.exit_code is None
        or command.exit_code in _CANNOT_RUN
    )


def read_control(control: ControlResult) -> ControlReading:
    """Tell a control that fails as its scenario intends from one whose validation could not run.

    A scenario that starts broken should fail its validation on the pristine fixture: that is the
    task. What is wrong is a command that never ran to an answer (not found, not executable, timed
    out, killed): then the agent's runs are judged by a validation that does not work either.
    """
    if control.passed:
        return ControlReading(
            "passes", "CONTROL PASSES", "validation passes on the pristine fixture, before any agent"
        )
    broken = [c for c in control.commands if not c.ok and _cannot_run(c)]
    if broken:
        names = ", ".join(c.name for c in broken)
        return ControlReading(
            "broken", "CONTROL BROKEN", f"validation could not run on the pristine fixture ({names})"
        )
    failing = ", ".join(c.name for c in control.commands if not c.ok)
    return ControlReading(
        "intended",
        "FAILS AS INTENDED",
        f"the pristine fixture fails {failing}, as a scenario that starts broken should",
    )
