"""The Suites page (every discoverable suite and its scenarios) and one page per scenario."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zebench.dashboard.catalog import (
    discoverable_suites,
    find_scenario,
    group_runs,
    prompt_views,
    suite_catalog,
)
from zebench.dashboard.charts import Bar, hbar_chart
from zebench.dashboard.core import Dashboard
from zebench.scenarios import resolve_suites_dir
from zebench.store.paging import MAX_PAGE
from zebench.store.queries import BreakdownRow, RunFilters

RECENT_RUNS = 25


def _tone(value: float | None) -> str:
    if value is None:
        return "neutral"
    return "good" if value >= 0.9 else ("ok" if value >= 0.7 else "bad")


def key_label(row: BreakdownRow, names: tuple[str, ...] = ("suite", "scenario", "tier")) -> str:
    """``suite/scenario/tier`` of a scenario_stats row."""
    return "/".join(str(row.key.get(n)) for n in names)


def register(router: APIRouter, dash: Dashboard, *, suites_dir: Path | None = None) -> None:
    """Add /suites and /suites/{suite}/{scenario} to ``router``.

    ``suites_dir`` is the user's suites folder (``zebench serve --suites-dir``); without it,
    ``$ZEBENCH_SUITES_DIR`` or ``./suites``, resolved on each request as the CLI does.
    """

    @router.get("/suites", response_class=HTMLResponse)
    def suites_page(request: Request) -> HTMLResponse:
        suites, problem = discoverable_suites(suites_dir)
        # Every run counts: both tables come from the store's rollup, not a sample of runs.
        scenario_rows = dash.store.scenario_stats()
        catalog = suite_catalog(suites, dash.store.scenario_stats(per="suite"), scenario_rows)
        chart = hbar_chart(
            [
                Bar(key_label(r), r.mean_score or 0.0, f"{key_label(r)}: {r.runs} runs", _tone(r.mean_score))
                for r in scenario_rows
            ],
            title="Mean score by scenario and tier",
            x_label="mean score",
            marker=0.7,
        )
        return dash.render(
            request,
            "suites.html",
            catalog=catalog,
            problem=problem,
            suites_dir=resolve_suites_dir(suites_dir),
            chart=chart,
        )

    @router.get("/suites/{suite}/{scenario}", response_class=HTMLResponse)
    def scenario_page(request: Request, suite: str, scenario: str) -> HTMLResponse:
        suites, problem = discoverable_suites(suites_dir)
        loaded, load_problem = find_scenario(suites, suite, scenario)
        filters = RunFilters(suite=suite, scenario=scenario)
        stats = dash.store.stats(filters)
        if loaded is None and load_problem is None and stats.runs == 0:
            return dash.not_found(request, "scenario", f"{suite}/{scenario}")
        # One bounded page of the most recent runs feeds the per-batch and per-agent tables.
        page = dash.store.list_runs(filters, limit=MAX_PAGE)
        by_tier = dash.store.scenario_stats(filters)
        return dash.render(
            request,
            "scenario.html",
            suite=suite,
            scenario_id=scenario,
            scenario=loaded,
            problem=load_problem or problem,
            prompts=prompt_views(loaded) if loaded else [],
            stats=stats,
            by_tier=by_tier,
            by_batch=group_runs(page.items, ("batch_id",)),
            by_agent=group_runs(page.items, ("agent", "model")),
            sampled=len(page.items) if page.next_cursor else None,
            recent=page.items[:RECENT_RUNS],
            tier_chart=hbar_chart(
                [
                    Bar(
                        str(r.key.get("tier")),
                        r.mean_score or 0.0,
                        f"{r.key.get('tier')}: {r.runs} runs",
                        _tone(r.mean_score),
                    )
                    for r in by_tier
                ],
                title="Mean score by tier",
                x_label="mean score",
                marker=loaded.success_threshold if loaded else 0.7,
            ),
        )
