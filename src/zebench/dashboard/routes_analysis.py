"""The overview and the analysis pages: agents, suites, evaluators and costs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zebench.dashboard.charts import Bar, Point, hbar_chart, scatter, score_histogram
from zebench.dashboard.compare import global_fingerprint
from zebench.dashboard.core import Dashboard
from zebench.scoring.display import format_score
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


def key_label(row: BreakdownRow, names: tuple[str, ...] = ("suite", "scenario", "tier")) -> str:
    """``suite/scenario/tier`` of a scenario_stats row."""
    return "/".join(str(row.key.get(n)) for n in names)


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
        # Every run counts: both tables come from the store's rollup, not a sample of runs.
        suites = dash.store.scenario_stats(per="suite")
        scenarios = dash.store.scenario_stats()
        scenario_counts: dict[str | None, set[str | None]] = {}
        for row in scenarios:
            scenario_counts.setdefault(row.key.get("suite"), set()).add(row.key.get("scenario"))
        chart = hbar_chart(
            [
                Bar(key_label(r), r.mean_score or 0.0, f"{key_label(r)}: {r.runs} runs", _tone(r.mean_score))
                for r in scenarios
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
            scenario_counts={k: len(v) for k, v in scenario_counts.items()},
            chart=chart,
        )

    @router.get("/evaluators", response_class=HTMLResponse)
    def evaluators_page(request: Request) -> HTMLResponse:
        rows = dash.store.evaluator_stats()
        chart = hbar_chart(
            [
                Bar(
                    str(r.key.get("evaluator")),
                    r.mean_score or 0.0,
                    f"{r.key.get('evaluator')}: mean {format_score(r.mean_score, 3)}, passed {r.successes}/{r.runs}",
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
