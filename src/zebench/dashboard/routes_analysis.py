"""The overview and the analysis pages: agents, suites, evaluators and costs."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zebench.dashboard.charts import Bar, Point, hbar_chart, scatter, score_histogram
from zebench.dashboard.compare import global_fingerprint
from zebench.dashboard.core import Dashboard
from zebench.store.queries import BreakdownRow, RunSummary

RECENT_RUNS = 15
RECENT_BATCHES = 5
TOP_PAIRS = 5
# The store has no per-scenario aggregate across batches; /suites aggregates the newest page of runs.
SUITE_SAMPLE = 500


def pair_label(row: BreakdownRow) -> str:
    """``agent / model`` for an agent_stats row."""
    model = row.key.get("model")
    return f"{row.key.get('agent')} / {model}" if model else str(row.key.get("agent"))


def _tone(value: float | None) -> str:
    if value is None:
        return "neutral"
    return "good" if value >= 0.9 else ("ok" if value >= 0.7 else "bad")


def score_per_dollar(row: BreakdownRow) -> float | None:
    """Mean score divided by mean cost per run; None without a positive known cost."""
    if row.mean_score is None or not row.mean_cost_usd:
        return None
    return row.mean_score / row.mean_cost_usd


@dataclass
class GroupStats:
    """Aggregates over a group of run summaries (suite, or suite/scenario/tier)."""

    key: tuple[str, ...]
    runs: int = 0
    successes: int = 0
    completed: int = 0
    scores: list[float] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    scenarios: set[str] = field(default_factory=set)

    def add(self, run: RunSummary) -> None:
        self.runs += 1
        self.successes += int(run.is_successful)
        self.completed += int(run.status.value == "completed")
        self.scenarios.add(run.scenario)
        if run.total_score is not None:
            self.scores.append(run.total_score)
        if run.cost_usd is not None:
            self.costs.append(run.cost_usd)

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.runs if self.runs else None

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def min_score(self) -> float | None:
        return min(self.scores) if self.scores else None

    @property
    def max_score(self) -> float | None:
        return max(self.scores) if self.scores else None

    @property
    def mean_cost(self) -> float | None:
        return sum(self.costs) / len(self.costs) if self.costs else None


def group_runs(runs: list[RunSummary], depth: int) -> list[GroupStats]:
    """Group by suite (depth 1) or suite/scenario/tier (depth 3), sorted by key."""
    groups: dict[tuple[str, ...], GroupStats] = {}
    for run in runs:
        key = (run.suite, run.scenario, run.tier)[:depth]
        groups.setdefault(key, GroupStats(key)).add(run)
    return [groups[k] for k in sorted(groups)]


def register(router: APIRouter, dash: Dashboard) -> None:
    """Add /, /agents, /suites, /evaluators and /costs to ``router``."""

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        stats = dash.store.stats()
        recent_runs = dash.store.list_runs(limit=RECENT_RUNS).items
        recent_batches = dash.store.list_batches(limit=RECENT_BATCHES).items
        pairs = sorted(dash.store.agent_stats(), key=lambda r: (-(r.mean_score or -1.0), -r.runs))
        live = any(b.completed_at is None for b in recent_batches)
        return dash.render(
            request,
            "overview.html",
            stats=stats,
            histogram=score_histogram(stats.score_histogram),
            recent_runs=recent_runs,
            recent_batches=recent_batches,
            top_pairs=pairs[:TOP_PAIRS],
            pair_label=pair_label,
            live_url="/dashboard-api/fingerprint" if live else None,
            live_fingerprint=global_fingerprint(stats, recent_batches) if live else None,
        )

    @router.get("/agents", response_class=HTMLResponse)
    def agents_page(request: Request) -> HTMLResponse:
        rows = sorted(dash.store.agent_stats(), key=lambda r: (-(r.mean_score or -1.0), -r.runs))
        points = [
            Point(
                x=r.mean_cost_usd,
                y=r.mean_score,
                label=pair_label(r),
                tooltip=f"{pair_label(r)}: mean score {r.mean_score:.3f}, ${r.mean_cost_usd:.4f}/run, {r.runs} runs",
                tone=_tone(r.mean_score),
            )
            for r in rows
            if r.mean_score is not None and r.mean_cost_usd is not None
        ]
        chart = scatter(
            points,
            title="Mean score vs mean cost per run",
            x_label="mean cost per run (USD)",
            y_label="mean score",
        )
        return dash.render(
            request,
            "agents.html",
            rows=rows,
            chart=chart,
            pair_label=pair_label,
            uncosted=[pair_label(r) for r in rows if r.mean_cost_usd is None],
        )

    @router.get("/suites", response_class=HTMLResponse)
    def suites_page(request: Request) -> HTMLResponse:
        page = dash.store.list_runs(limit=SUITE_SAMPLE)
        suites = group_runs(page.items, 1)
        scenarios = group_runs(page.items, 3)
        chart = hbar_chart(
            [
                Bar(
                    "/".join(g.key),
                    g.mean_score or 0.0,
                    f"{'/'.join(g.key)}: {g.runs} runs",
                    _tone(g.mean_score),
                )
                for g in scenarios
            ],
            title="Mean score by scenario and tier",
            x_label="mean score",
            marker=0.7,
            label_width=210,
        )
        return dash.render(
            request,
            "suites.html",
            suites=suites,
            scenarios=scenarios,
            chart=chart,
            sampled=len(page.items),
            total=page.total or len(page.items),
        )

    @router.get("/evaluators", response_class=HTMLResponse)
    def evaluators_page(request: Request) -> HTMLResponse:
        rows = dash.store.evaluator_stats()
        chart = hbar_chart(
            [
                Bar(
                    str(r.key.get("evaluator")),
                    r.mean_score or 0.0,
                    f"{r.key.get('evaluator')}: mean {r.mean_score or 0:.3f}, passed {r.successes}/{r.runs}",
                    _tone(r.mean_score),
                )
                for r in rows
            ],
            title="Mean score by evaluator",
            x_label="mean score",
        )
        return dash.render(request, "evaluators.html", rows=rows, chart=chart)

    @router.get("/costs", response_class=HTMLResponse)
    def costs_page(request: Request) -> HTMLResponse:
        stats = dash.store.stats()
        rows = sorted(dash.store.agent_stats(), key=lambda r: -(r.total_cost_usd or 0.0))
        cost_chart = hbar_chart(
            [
                Bar(
                    pair_label(r),
                    r.total_cost_usd or 0.0,
                    f"{pair_label(r)}: ${r.total_cost_usd or 0:.4f} total",
                )
                for r in rows
            ],
            title="Total cost by agent / model",
            x_label="total cost (USD)",
            max_value=None,
            value_format="${:.3f}",
        )
        efficiency = sorted(
            ((pair_label(r), spd) for r in rows if (spd := score_per_dollar(r)) is not None),
            key=lambda item: -item[1],
        )
        eff_chart = hbar_chart(
            [
                Bar(label, value, f"{label}: {value:.1f} score points per dollar", "good")
                for label, value in efficiency
            ],
            title="Score per dollar",
            x_label="mean score ÷ mean cost per run",
            max_value=None,
            value_format="{:.1f}",
        )
        return dash.render(
            request,
            "costs.html",
            stats=stats,
            rows=rows,
            cost_chart=cost_chart,
            eff_chart=eff_chart,
            pair_label=pair_label,
            score_per_dollar=score_per_dollar,
        )
