"""The suites the server can see on disk, joined with what the store holds about them.

The Suites page lists every discoverable suite (the bundled ones and those of ``--suites-dir`` /
``$ZEBENCH_SUITES_DIR`` / ``./suites``) with its scenarios and tiers, whether or not they have runs,
and also the suites and scenarios that have runs but are not on disk any more. The scenario page
shows one scenario's definition (prompt tiers, validation, evaluators) next to its runs.

Scenario files are the suite author's, not an agent's; the templates escape them all the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import fmean

from zebench.errors import ZebenchError
from zebench.scenarios import discover_suites, resolve_prompt
from zebench.scenarios.loader import load_scenario_dir
from zebench.scenarios.model import Scenario, Suite
from zebench.store.queries import BreakdownRow, RunSummary


@dataclass
class ScenarioEntry:
    """One scenario of the Suites page: its definition when found on disk, its stored figures."""

    suite: str
    scenario: str
    title: str = ""
    tiers: list[str] = field(default_factory=list)
    on_disk: bool = True
    problem: str | None = None  # why the scenario file could not be loaded
    by_tier: list[BreakdownRow] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return sum(r.runs for r in self.by_tier)

    @property
    def successes(self) -> int:
        return sum(r.successes for r in self.by_tier)

    @property
    def mean_score(self) -> float | None:
        """The mean over every scored run of the scenario (tiers weighted by their scored runs)."""
        scored = [(r.mean_score, r.runs) for r in self.by_tier if r.mean_score is not None]
        weight = sum(n for _, n in scored)
        return sum(m * n for m, n in scored) / weight if weight else None


@dataclass
class SuiteEntry:
    """One suite: where it comes from, its scenarios and its aggregate over every stored run."""

    name: str
    source: str  # "bundled", the folder it was found in, or "not on disk"
    scenarios: list[ScenarioEntry]
    stats: BreakdownRow | None = None


def _load_entry(suite: Suite, scenario_id: str) -> ScenarioEntry:
    try:
        scenario = load_scenario_dir(suite.directory / "scenarios" / scenario_id, suite.name)
    except ZebenchError as exc:
        return ScenarioEntry(suite.name, scenario_id, problem=exc.one_line())
    return ScenarioEntry(suite.name, scenario_id, title=scenario.title, tiers=scenario.tiers)


def discoverable_suites(suites_dir: Path | None) -> tuple[list[Suite], str | None]:
    """The suites on disk, and a problem to show (for example a suites folder that does not exist)."""
    try:
        return discover_suites(suites_dir), None
    except ZebenchError as exc:
        return [], exc.one_line()


def suite_catalog(
    suites: Sequence[Suite], suite_rows: Iterable[BreakdownRow], scenario_rows: Iterable[BreakdownRow]
) -> list[SuiteEntry]:
    """Every suite on disk with its scenarios, plus suites and scenarios known only from stored runs."""
    per_scenario: dict[tuple[str, str], list[BreakdownRow]] = defaultdict(list)
    for row in scenario_rows:
        per_scenario[(str(row.key.get("suite")), str(row.key.get("scenario")))].append(row)
    stats = {str(r.key.get("suite")): r for r in suite_rows}
    entries: list[SuiteEntry] = []
    seen: set[tuple[str, str]] = set()
    for suite in suites:
        scenarios = [_load_entry(suite, scenario_id) for scenario_id in suite.scenario_ids]
        source = "bundled" if suite.bundled else str(suite.directory)
        entries.append(SuiteEntry(suite.name, source, scenarios, stats.get(suite.name)))
        seen.update((suite.name, s.scenario) for s in scenarios)
    by_name = {e.name: e for e in entries}
    for key in sorted(per_scenario):
        if key in seen:
            continue
        entry = by_name.get(key[0])
        if entry is None:
            entry = by_name[key[0]] = SuiteEntry(key[0], "not on disk", [], stats.get(key[0]))
            entries.append(entry)
        entry.scenarios.append(ScenarioEntry(key[0], key[1], on_disk=False))
    for entry in entries:
        for scenario in entry.scenarios:
            scenario.by_tier = per_scenario.get((entry.name, scenario.scenario), [])
    return entries


@dataclass
class PromptView:
    """One tier's prompt as the agent receives it, or why it cannot be read."""

    tier: str
    text: str | None
    problem: str | None = None


def find_scenario(
    suites: Sequence[Suite], suite: str, scenario_id: str
) -> tuple[Scenario | None, str | None]:
    """The scenario loaded from disk (None when it is not there) and a problem to show, if any."""
    for found in suites:
        if found.name == suite and scenario_id in found.scenario_ids:
            try:
                return load_scenario_dir(found.directory / "scenarios" / scenario_id, found.name), None
            except ZebenchError as exc:
                return None, exc.one_line()
    return None, None


def prompt_views(scenario: Scenario) -> list[PromptView]:
    """Every tier's prompt text, in tier order."""
    views = []
    for tier in scenario.tiers:
        try:
            views.append(PromptView(tier, resolve_prompt(scenario, tier).text))
        except ZebenchError as exc:
            views.append(PromptView(tier, None, exc.one_line()))
    return views


@dataclass
class RunGroup:
    """Runs of one scenario grouped by a key (a batch, or an agent / model), from a page of runs."""

    key: dict[str, str | None]
    runs: int
    successes: int
    mean_score: float | None
    last_started: datetime


def group_runs(runs: Sequence[RunSummary], keys: Sequence[str]) -> list[RunGroup]:
    """``runs`` grouped by the RunSummary fields ``keys``, most recent group first."""
    groups: dict[tuple[str | None, ...], list[RunSummary]] = defaultdict(list)
    for run in runs:
        groups[tuple(getattr(run, k) for k in keys)].append(run)
    out = []
    for key, members in groups.items():
        scores = [r.total_score for r in members if r.total_score is not None]
        out.append(
            RunGroup(
                key=dict(zip(keys, key, strict=True)),
                runs=len(members),
                successes=sum(r.is_successful for r in members),
                mean_score=fmean(scores) if scores else None,
                last_started=max(r.started_at for r in members),
            )
        )
    return sorted(out, key=lambda g: g.last_started, reverse=True)
