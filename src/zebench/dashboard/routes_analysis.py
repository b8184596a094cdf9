"""The overview and the analysis pages: agents, evaluators and costs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zebench.dashboard.charts import Bar, Point, hbar_chart, scatter, score_histogram
from zebench.dashboard.compare import global_fingerprint
from zebench.dashboard.core import Dashboard
from zebench.scoring.display import format_score
from zebench.store.base import CostKindReader
from zebench.store.queries import BreakdownRow

RECENT_RUNS = 15
RECENT_BATCHES = 5
TOP_PAIRS = 5


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


# The words the CLI prints after a run's cost, in the order the Costs page lists them.
COST_KINDS = ("measured", "estimated", "unrecorded", "unknown")


def cost_basis(store: object) -> dict[str, dict[str, int]] | None:
    """Runs per ``agent / model`` label and cost kind; None when the store cannot say (a results server)."""
    if not isinstance(store, CostKindReader):
        return None
    basis: dict[str, dict[str, int]] = {}
    for row in store.cost_kind_counts():
        label = f"{row.agent} / {row.model}" if row.model else row.agent
        counts = basis.setdefault(label, {})
        counts[row.cost_kind] = counts.get(row.cost_kind, 0) + row.runs
    return basis


def basis_totals(basis: dict[str, dict[str, int]]) -> dict[str, int]:
    """The cost kinds summed over every agent / model."""
    totals = dict.fromkeys(COST_KINDS, 0)
    for counts in basis.values():
        for kind, n in counts.items():
            totals[kind] = totals.get(kind, 0) + n
    return totals


def _overview(dash: Dashboard, request: Request) -> HTMLResponse:
    """The overview page: totals, score histogram, recent runs and batches, the best pairs."""
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


def _agents_page(dash: Dashboard, request: Request) -> HTMLResponse:
    """The agents page: every agent / model with its mean score plotted against its mean cost."""
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


def _evaluators_page(dash: Dashboard, request: Request) -> HTMLResponse:
    """The evaluators page: each evaluator's mean score and pass count."""
    rows = dash.store.evaluator_stats()
    chart = hbar_chart(
        [
            Bar(
                str(r.key.get("evaluator")),
                r.mean_score or 0.0,
                f"{r.key.get('evaluator')}: mean {format_score(r.mean_score, 3)}, passed {r.successes}/{r.runs}",
                _tone(r.mean_score),
                note=None if r.mean_score is not None else "not scored",
            )
            for r in rows
        ],
        title="Mean score by evaluator",
        x_label="mean score",
    )
    return dash.render(request, "evaluators.html", rows=rows, chart=chart)


def _costs_page(dash: Dashboard, request: Request) -> HTMLResponse:
    """The costs page: total cost and score per dollar by agent / model, and how each cost was known."""
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
            if r.total_cost_usd is not None  # an unknown cost is not a zero
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
    basis = cost_basis(dash.store)
    return dash.render(
        request,
        "costs.html",
        stats=stats,
        basis=basis,
        basis_totals=basis_totals(basis) if basis is not None else None,
        cost_kinds=COST_KINDS,
        rows=rows,
        cost_chart=cost_chart,
        uncosted=[pair_label(r) for r in rows if r.total_cost_usd is None],
        eff_chart=eff_chart,
        pair_label=pair_label,
        score_per_dollar=score_per_dollar,
    )


def register(router: APIRouter, dash: Dashboard) -> None:
    """Add /, /agents, /evaluators and /costs to ``router``."""

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        return _overview(dash, request)

    @router.get("/agents", response_class=HTMLResponse)
    def agents_page(request: Request) -> HTMLResponse:
        return _agents_page(dash, request)

    @router.get("/evaluators", response_class=HTMLResponse)
    def evaluators_page(request: Request) -> HTMLResponse:
        return _evaluators_page(dash, request)

    @router.get("/costs", response_class=HTMLResponse)
    def costs_page(request: Request) -> HTMLResponse:
        return _costs_page(dash, request)
