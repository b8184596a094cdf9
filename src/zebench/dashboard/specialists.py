"""Data for the specialist pages: where snapshots live, the snapshot list, specialist batches, deltas.

Pure functions over ``zebench.mint`` and store query results; the routes call them and the templates
render what they return. Nothing here formats numbers or escapes text (the templates do both).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import fmean
from typing import Any

from pydantic import ValidationError

from zebench.errors import TemplateError
from zebench.mint.jsonio import read_json5
from zebench.mint.snapshot import SnapshotInfo, list_snapshots
from zebench.mint.stats import ArmComparison, compare_arms, observations_from_runs
from zebench.store.queries import BatchDetail, RunSummary

SNAPSHOTS_ENV = "ZEBENCH_SNAPSHOTS_DIR"
DEFAULT_SNAPSHOTS_DIR = Path("snapshots")
# The value of ?specialist= that pools every specialist of the batch. Template names match
# ^(@scope/)?[a-z0-9-]+$, so "*" can never be a real specialist's name.
POOLED = "*"
# compare's tie tolerance: per-scenario win/tie/loss counts then add up to the overall ones.
_EPS = 1e-12


@dataclass(frozen=True)
class SnapshotsLocation:
    """The snapshots folder in use (or None) and how it was chosen, for the page's explanations."""

    path: Path | None
    source: str  # "configured", "env", "cwd" or "none"


def resolve_snapshots_dir(explicit: Path | None) -> SnapshotsLocation:
    """``explicit``, else ``$ZEBENCH_SNAPSHOTS_DIR``, else ``./snapshots`` when it exists.

    Called per request (not at mount time) so a folder created by ``zebench mint snapshot`` after
    the server started shows up on the next reload.
    """
    if explicit is not None:
        return SnapshotsLocation(explicit, "configured")
    env = os.environ.get(SNAPSHOTS_ENV, "").strip()
    if env:
        return SnapshotsLocation(Path(env).expanduser(), "env")
    if DEFAULT_SNAPSHOTS_DIR.is_dir():
        return SnapshotsLocation(DEFAULT_SNAPSHOTS_DIR.resolve(), "cwd")
    return SnapshotsLocation(None, "none")


@dataclass(frozen=True)
class SnapshotRow:
    """A snapshot as listed: what ``list_snapshots`` reports plus the CI and the template hash."""

    info: SnapshotInfo
    template_sha256: str | None = None
    improvement_pct: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    pairing: str | None = None


@dataclass
class SnapshotGroup:
    """All snapshots of one specialist name, newest version and snapshot first."""

    name: str
    rows: list[SnapshotRow] = field(default_factory=list)


def _number(value: Any) -> float | None:
    # Snapshot files are user-editable: a hand-edited string where a number belongs is shown as "—".
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _extras(info: SnapshotInfo) -> SnapshotRow:
    """Read the fields ``SnapshotInfo`` does not carry (CI, template hash) from the file itself."""
    if info.error is not None:
        return SnapshotRow(info)
    try:
        data = read_json5(info.path, what="snapshot")
    except TemplateError:
        return SnapshotRow(info)  # list_snapshots read it a moment ago; a vanished file shows its basics
    if not isinstance(data, dict):
        return SnapshotRow(info)
    meta = data.get("snapshot_metadata")
    benchmarks = data.get("benchmarks")
    comparison = benchmarks.get("comparison") if isinstance(benchmarks, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    comparison = comparison if isinstance(comparison, dict) else {}
    return SnapshotRow(
        info,
        template_sha256=_text(meta.get("template_sha256")),
        improvement_pct=_number(comparison.get("improvement_pct")),
        ci_low=_number(comparison.get("ci_low")),
        ci_high=_number(comparison.get("ci_high")),
        ci_level=_number(comparison.get("ci_level")),
        pairing=_text(comparison.get("pairing")),
    )


def snapshot_groups(directory: Path | None) -> tuple[list[SnapshotGroup], str | None]:
    """The snapshots under ``directory`` grouped by specialist name, and a problem to show (or None).

    ``list_snapshots`` reports unparsable files itself, but a parsable file with a wrongly typed
    field (a hand-edited number as text) makes it raise; the page then says so instead of failing.
    """
    if directory is None:
        return [], None
    try:
        infos = list_snapshots(directory)
    except ValidationError as exc:
        return (
            [],
            f"a snapshot file has a field of the wrong type, so none can be listed: {_first_error(exc)}",
        )
    except OSError as exc:
        return [], f"the snapshots folder cannot be read: {exc.strerror or exc}"
    groups: dict[str, SnapshotGroup] = {}
    for info in infos:
        groups.setdefault(info.name, SnapshotGroup(info.name)).rows.append(_extras(info))
    for group in groups.values():
        group.rows.reverse()  # list_snapshots is oldest first; the newest evidence matters most
    return list(groups.values()), None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))


@dataclass
class SpecialistBatch:
    """A batch seen through its specialist runs (baseline runs are not in the one query we make)."""

    batch_id: str
    specialists: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    runs: int = 0
    last_started: datetime | None = None


def specialist_batches(runs: Sequence[RunSummary], limit: int) -> list[SpecialistBatch]:
    """Group specialist runs (newest first) by batch, keeping the order of each batch's newest run."""
    batches: dict[str, SpecialistBatch] = {}
    for run in runs:
        entry = batches.get(run.batch_id)
        if entry is None:
            if len(batches) >= limit:
                continue
            entry = batches[run.batch_id] = SpecialistBatch(run.batch_id, last_started=run.started_at)
        entry.runs += 1
        if run.specialist_name and run.specialist_name not in entry.specialists:
            entry.specialists.append(run.specialist_name)
        if run.specialist_version and run.specialist_version not in entry.versions:
            entry.versions.append(run.specialist_version)
    for entry in batches.values():
        entry.specialists.sort()
        entry.versions.sort()
    return list(batches.values())


@dataclass(frozen=True)
class Arms:
    """What a batch holds: its specialists' names and the run count of each arm."""

    specialists: list[str]
    baseline_runs: int
    specialist_runs: int

    @property
    def both(self) -> bool:
        return self.baseline_runs > 0 and self.specialist_runs > 0


def batch_arms(detail: BatchDetail) -> Arms:
    """The specialists of a batch and how many runs each arm has (all statuses)."""
    names = sorted({r.specialist_name for r in detail.runs if r.specialist_name})
    spec = sum(1 for r in detail.runs if r.specialist_name)
    return Arms(names, len(detail.runs) - spec, spec)


def choose_specialist(names: Sequence[str], requested: str | None) -> tuple[str | None, str, str | None]:
    """``(compare_arms' specialist argument, the selector's value, a problem to show or None)``.

    No choice (or an unknown name) means the first specialist: pooling different specialists is
    only done when asked for, since their effects would blur into one number.
    """
    requested = (requested or "").strip()
    if requested == POOLED and len(names) > 1:
        return None, POOLED, None
    if requested in names:
        return requested, requested, None
    first = names[0] if names else None
    problem = None
    if requested and first is not None:
        problem = f"this batch has no runs of specialist {requested!r}; showing {first!r}"
    return first, first or "", problem


@dataclass(frozen=True)
class ScenarioDelta:
    """Baseline vs specialist on one suite/scenario, over counted runs as ``compare_arms`` counts them."""

    suite: str
    scenario: str
    baseline_score: float | None
    specialist_score: float | None
    delta: float | None
    n_baseline: int
    n_specialist: int
    wins: int
    ties: int
    losses: int

    @property
    def label(self) -> str:
        return f"{self.suite}/{self.scenario}"


def scenario_deltas(runs: Sequence[RunSummary], specialist: str | None) -> list[ScenarioDelta]:
    """Per scenario: arm means, their difference and the win/tie/loss of its paired cells.

    Uses mint's own ``observations_from_runs``, so excluded statuses and unscored runs (scored 0)
    are treated exactly as in the headline comparison.
    """
    observations, _ = observations_from_runs(runs, specialist)
    scenarios: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
        lambda: {"baseline": [], "specialist": []}
    )
    cells: dict[tuple[str, str, str, str], dict[str, list[float]]] = defaultdict(
        lambda: {"baseline": [], "specialist": []}
    )
    for obs in observations:
        scenarios[(obs.suite, obs.scenario)][obs.arm].append(obs.score)
        cells[obs.cell][obs.arm].append(obs.score)
    cell_diffs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for (suite, scenario, _tier, _model), arms in cells.items():
        if arms["baseline"] and arms["specialist"]:
            cell_diffs[(suite, scenario)].append(fmean(arms["specialist"]) - fmean(arms["baseline"]))
    rows = []
    for (suite, scenario), arms in scenarios.items():
        base = fmean(arms["baseline"]) if arms["baseline"] else None
        spec = fmean(arms["specialist"]) if arms["specialist"] else None
        diffs = cell_diffs.get((suite, scenario), [])
        rows.append(
            ScenarioDelta(
                suite=suite,
                scenario=scenario,
                baseline_score=base,
                specialist_score=spec,
                delta=None if base is None or spec is None else spec - base,
                n_baseline=len(arms["baseline"]),
                n_specialist=len(arms["specialist"]),
                wins=sum(1 for d in diffs if d > _EPS),
                ties=sum(1 for d in diffs if abs(d) <= _EPS),
                losses=sum(1 for d in diffs if d < -_EPS),
            )
        )
    # Biggest gains first, losses last, scenarios with one arm only at the end.
    rows.sort(key=lambda r: (r.delta is None, -(r.delta or 0.0), r.label))
    return rows


class ComparisonCache:
    """A small LRU of ``compare_arms`` results: 10,000 bootstrap resamples per page view add up.

    Keyed by the batch's state too, so a batch that is still receiving runs is recomputed.
    """

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, ...], ArmComparison] = OrderedDict()
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def get(self, detail: BatchDetail, specialist: str | None) -> ArmComparison:
        """``compare_arms(detail, specialist=specialist)``, computed once per state of the batch."""
        summary = detail.summary
        # What changes when a run is added, rescored or changes status.
        state = repr(
            (summary.runs, sorted(summary.status_counts.items()), summary.mean_score, summary.completed_at)
        )
        key = (summary.batch_id, specialist or POOLED, state)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        result = compare_arms(detail, specialist=specialist)
        with self._lock:
            self._items[key] = result
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return result
