"""Batch pages (list, detail, compare) and the JSON fingerprints that drive live refresh."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from zebench.dashboard.charts import Bar, hbar_chart
from zebench.dashboard.compare import (
    MAX_COMPARE,
    MIN_COMPARE,
    canonical_ids,
    compare_link,
    global_fingerprint,
    metric_rows,
    parse_ids,
    scenario_rows,
)
from zebench.dashboard.core import SECURITY_HEADERS, Dashboard
from zebench.dashboard.matrix import batch_matrix, read_control
from zebench.errors import NotFoundError, StoreError
from zebench.scoring.display import format_score
from zebench.store.queries import BatchDetail, BreakdownRow, RunFilters

BATCH_PAGE_SIZE = 25
RECENT_FOR_PICKER = 20
LIVE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}


def _tone(value: float | None, threshold: float = 0.7) -> str:
    if value is None:
        return "neutral"
    return "good" if value >= 0.9 else ("ok" if value >= threshold else "bad")


def _label(row: BreakdownRow) -> str:
    return " / ".join(str(v) if v is not None else "—" for v in row.key.values())


def breakdown_chart(rows: list[BreakdownRow], title: str, threshold: float | None = 0.7) -> object:
    """Mean score per group as horizontal bars, with the success threshold marked."""
    bars = [
        Bar(
            label=_label(r),
            value=r.mean_score or 0.0,
            tooltip=(
                f"{_label(r)}: mean {format_score(r.mean_score, 3)} over {r.runs} ({r.successes} passed)"
                if r.mean_score is not None
                else f"{_label(r)}: not scored ({r.runs})"
            ),
            tone=_tone(r.mean_score),
            note=None if r.mean_score is not None else "not scored",
        )
        for r in rows
    ]
    return hbar_chart(bars, title=title, x_label="mean score", marker=threshold)


def batch_charts(detail: BatchDetail) -> dict[str, object]:
    """The four breakdown charts of a batch page."""
    return {
        "scenario": breakdown_chart(detail.by_scenario, "Mean score by scenario"),
        "tier": breakdown_chart(detail.by_tier, "Mean score by tier"),
        "agent": breakdown_chart(detail.by_agent_model, "Mean score by agent / model"),
        "evaluator": breakdown_chart(detail.by_evaluator, "Mean score by evaluator", threshold=None),
    }


def _batches_page(dash: Dashboard, request: Request) -> HTMLResponse:
    """The batch list, one page at a time; an expired cursor falls back to the first page."""
    cursor = request.query_params.get("cursor") or None
    problem = None
    try:
        page = dash.store.list_batches(limit=BATCH_PAGE_SIZE, cursor=cursor)
    except StoreError as exc:
        if exc.field != "cursor":
            raise
        problem, cursor = "that page link has expired; showing the first page", None
        page = dash.store.list_batches(limit=BATCH_PAGE_SIZE)
    return dash.render(request, "batches.html", page=page, cursor=cursor, problem=problem)


def _compare_page(dash: Dashboard, request: Request) -> Response:
    """The comparison of 2 to 5 batches; shortened ids redirect to the full ones."""
    query = request.query_params
    ids = parse_ids([*query.getlist("ids"), *query.getlist("ids[]")])
    problems: list[str] = []
    details: list[BatchDetail] = []
    if ids and not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        problems.append(f"pick between {MIN_COMPARE} and {MAX_COMPARE} batches (you picked {len(ids)})")
    elif ids:
        canonical = canonical_ids(dash.store, ids, problems)
        if canonical != ids and not problems:  # shortened ids: redirect to the full ones
            return RedirectResponse(compare_link(query, canonical), status_code=307)
    recent = dash.store.list_batches(limit=RECENT_FOR_PICKER).items
    if ids and not problems and MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        # At most five get_batch calls, bounded by MAX_COMPARE: one per compared batch.
        for batch_id in ids:
            try:
                details.append(dash.store.get_batch(batch_id))
            except NotFoundError:
                problems.append(f"batch {batch_id!r} not found")
        if problems:
            details = []
        # The picker forms ask for the oldest batch as the baseline, so deltas read as progress;
        # a hand-written URL keeps its own order.
        if query.get("baseline") == "oldest":
            details.sort(key=lambda d: d.summary.created_at)
    scores, rates = scenario_rows(details) if details else ([], [])
    chart = hbar_chart(
        [
            Bar(
                d.summary.batch_id,
                d.summary.mean_score or 0.0,
                f"{d.summary.batch_id}: mean score {format_score(d.summary.mean_score, 3)} over {d.summary.runs} runs",
                _tone(d.summary.mean_score),
            )
            for d in details
        ],
        title="Mean score per batch",
        x_label="mean score",
        marker=0.7,
    )
    return dash.render(
        request,
        "compare.html",
        ids=ids,
        details=details,
        recent=recent,
        problems=problems,
        metrics=metric_rows(details) if details else [],
        scenario_scores=scores,
        scenario_rates=rates,
        chart=chart,
        min_compare=MIN_COMPARE,
        max_compare=MAX_COMPARE,
    )


def _batch_page(dash: Dashboard, request: Request, batch_id: str) -> Response:
    """One batch: its breakdown charts, run matrix and controls, refreshed live while it runs."""
    try:
        # The fingerprint before the detail: a run landing in between makes the next poll
        # differ (one extra reload) instead of hiding that run until the next change.
        fingerprint = dash.store.batch_fingerprint(batch_id)
        detail = dash.store.get_batch(batch_id)
    except NotFoundError:
        return dash.elsewhere(request, "batch", batch_id)  # a unique start or end of an id
    live = detail.summary.completed_at is None
    return dash.render(
        request,
        "batch.html",
        detail=detail,
        s=detail.summary,
        charts=batch_charts(detail),
        matrix=batch_matrix(detail.summary.batch_id, detail.runs),
        controls=[(c, read_control(c)) for c in detail.controls],
        live_url=f"/dashboard-api/batches/{batch_id}/fingerprint" if live else None,
        live_fingerprint=fingerprint if live else None,
    )


def _batch_fingerprint_api(dash: Dashboard, batch_id: str) -> JSONResponse:
    """The batch's fingerprint and run count, as the live-refresh script polls them."""
    try:
        fingerprint = dash.store.batch_fingerprint(batch_id)
    except NotFoundError:
        return JSONResponse({"error": "Batch not found"}, status_code=404, headers=LIVE_HEADERS)
    runs = dash.store.list_runs(RunFilters(batch_id=batch_id), limit=1).total
    return JSONResponse({"fingerprint": fingerprint, "runs": runs}, headers=LIVE_HEADERS)


def _global_fingerprint_api(dash: Dashboard) -> JSONResponse:
    """The overview's fingerprint and run count, as the live-refresh script polls them."""
    stats = dash.store.stats()
    recent = dash.store.list_batches(limit=5).items
    return JSONResponse(
        {"fingerprint": global_fingerprint(stats, recent), "runs": stats.runs}, headers=LIVE_HEADERS
    )


def register(router: APIRouter, dash: Dashboard) -> None:
    """Add /batches, /batches/compare, /batches/{id} and the live-refresh endpoints to ``router``."""

    @router.get("/batches", response_class=HTMLResponse)
    def batches_page(request: Request) -> HTMLResponse:
        return _batches_page(dash, request)

    @router.get("/batches/compare", response_class=HTMLResponse)
    def compare_page(request: Request) -> Response:
        return _compare_page(dash, request)

    @router.get("/batches/{batch_id}", response_class=HTMLResponse)
    def batch_page(request: Request, batch_id: str) -> Response:
        return _batch_page(dash, request, batch_id)

    @router.get("/dashboard-api/batches/{batch_id}/fingerprint")
    def batch_fingerprint_api(batch_id: str) -> JSONResponse:
        """What the live-refresh script polls: a hash that changes when the batch page would.

        The store's cheap ``batch_fingerprint`` (one aggregate over the batch index) and the run
        count, rather than the whole batch detail every few seconds per open page.
        """
        return _batch_fingerprint_api(dash, batch_id)

    @router.get("/dashboard-api/fingerprint")
    def global_fingerprint_api() -> JSONResponse:
        """The overview's fingerprint: the same two calls the overview makes for its totals."""
        return _global_fingerprint_api(dash)
