"""Specialist pages: ``/specialists`` (snapshots and specialist batches) and the arm comparison.

``/batches/{id}/specialist`` shows ``zebench.mint.compare_arms`` for one batch: the same statistics a
minted snapshot carries, so the page and ``zebench mint snapshot`` never disagree. The verdict shown
is the one compare_arms gives; this module never upgrades "no evidence" into "improved".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zebench.dashboard.core import Dashboard
from zebench.dashboard.specialist_charts import Delta, diverging_bars, interval_plot
from zebench.dashboard.specialists import (
    POOLED,
    SNAPSHOTS_ENV,
    ComparisonCache,
    batch_arms,
    choose_specialist,
    resolve_snapshots_dir,
    scenario_deltas,
    snapshot_groups,
    specialist_batches,
)
from zebench.errors import NotFoundError
from zebench.store.paging import MAX_PAGE
from zebench.store.queries import RunFilters

RECENT_SPECIALIST_BATCHES = 25
VERDICT_TONES = {"improved": "good", "worse": "bad", "no evidence": "neutral"}


def _specialists_page(dash: Dashboard, snapshots_dir: Path | None, request: Request) -> HTMLResponse:
    """The specialists page: minted snapshots and the recent specialist batches."""
    location = resolve_snapshots_dir(snapshots_dir)
    groups, snapshots_problem = snapshot_groups(location.path)
    # One bounded query for every recent specialist run, grouped here: no call per batch.
    page = dash.store.list_runs(RunFilters(specialist="any"), limit=MAX_PAGE)
    batches = specialist_batches(page.items, RECENT_SPECIALIST_BATCHES)
    return dash.render(
        request,
        "specialists.html",
        location=location,
        snapshots_env=SNAPSHOTS_ENV,
        groups=groups,
        snapshots_problem=snapshots_problem,
        snapshot_count=sum(len(g.rows) for g in groups),
        batches=batches,
        runs_truncated=page.next_cursor is not None,
        runs_scanned=len(page.items),
        verdict_tones=VERDICT_TONES,
    )


def _arms_page(dash: Dashboard, cache: ComparisonCache, request: Request, batch_id: str) -> Response:
    """One batch's specialist arm against its baseline, as ``compare_arms`` computes it."""
    try:
        detail = dash.store.get_batch(batch_id)
    except NotFoundError:
        return dash.elsewhere(request, "batch", batch_id, "{}/specialist")
    arms = batch_arms(detail)
    selected, selector_value, problem = choose_specialist(
        arms.specialists, request.query_params.get("specialist")
    )
    context: dict[str, Any] = {
        "detail": detail,
        "s": detail.summary,
        "arms": arms,
        "selected": selected,
        "selector_value": selector_value,
        "pooled": POOLED,
        "problem": problem,
        "comparison": None,
        "scenarios": [],
        "ci_chart": None,
        "scenario_chart": None,
        "verdict_tones": VERDICT_TONES,
    }
    if arms.both:
        comparison = cache.get(detail, selected)
        scenarios = scenario_deltas(detail.runs, selected)
        context.update(
            comparison=comparison,
            scenarios=scenarios,
            ci_chart=interval_plot(
                comparison.estimate,
                comparison.ci_low,
                comparison.ci_high,
                level=comparison.ci_level,
                tone=VERDICT_TONES.get(comparison.verdict, "neutral"),
            ),
            scenario_chart=diverging_bars(
                [
                    Delta(
                        r.label,
                        r.delta,
                        f"{r.label}: specialist {r.specialist_score:.3f} (n={r.n_specialist}) vs "
                        f"baseline {r.baseline_score:.3f} (n={r.n_baseline}), {r.delta:+.3f}"
                        if r.delta is not None
                        and r.baseline_score is not None
                        and r.specialist_score is not None
                        else f"{r.label}: baseline n={r.n_baseline}, specialist n={r.n_specialist}",
                    )
                    for r in scenarios
                ],
                title="Specialist minus baseline, mean score per scenario",
                x_label="specialist − baseline (mean score)",
            ),
        )
    return dash.render(request, "specialists_compare.html", **context)


def register(router: APIRouter, dash: Dashboard, *, snapshots_dir: Path | None = None) -> None:
    """Add /specialists and /batches/{batch_id}/specialist to ``router``."""

    cache = ComparisonCache()

    @router.get("/specialists", response_class=HTMLResponse)
    def specialists_page(request: Request) -> HTMLResponse:
        return _specialists_page(dash, snapshots_dir, request)

    @router.get("/batches/{batch_id}/specialist", response_class=HTMLResponse)
    def arms_page(request: Request, batch_id: str) -> Response:
        return _arms_page(dash, cache, request, batch_id)
