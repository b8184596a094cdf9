"""The run pages: ``/runs`` (filters, sort, cursor pagination) and ``/runs/{run_id}`` (everything)."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from zebench.dashboard.core import Dashboard
from zebench.dashboard.views import parse_agent_output, parse_diff, parse_trajectory
from zebench.errors import NotFoundError, StoreError
from zebench.grading import TestReport, TestRow, report_rows
from zebench.results.models import RunStatus
from zebench.store.queries import RunFilters, RunSort

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_SORT: RunSort = "-started_at"
SORT_LABELS: dict[str, str] = {
    "-started_at": "Newest first",
    "started_at": "Oldest first",
    "-total_score": "Highest score",
    "total_score": "Lowest score",
    "-duration_ms": "Slowest",
    "duration_ms": "Fastest",
    "-cost_usd": "Most expensive",
    "cost_usd": "Cheapest",
}
# Query parameter → RunFilters field. "batch" is what the filter form sends; "batchId" keeps old links.
TEXT_FILTERS = {
    "suite": "suite",
    "scenario": "scenario",
    "tier": "tier",
    "agent": "agent",
    "model": "model",
    "batch": "batch_id",
    "specialist": "specialist",
}
# The artifacts shown on the run page (validation comes with get_run).
SHOWN_ARTIFACTS = ("diff", "trajectory", "agent_output", "judge", "tests")


def parse_run_query(query: QueryParams) -> tuple[RunFilters, RunSort, int, list[str]]:
    """Filters, sort and page size from the query string, plus messages about ignored values.

    Bad values are reported on the page instead of answering 422: a mistyped bookmark should
    still show runs.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    for param, field in TEXT_FILTERS.items():
        raw = (query.get(param) or "").strip()
        if not raw and param == "batch":
            raw = (query.get("batchId") or "").strip()
        if raw:
            values[field] = raw
    status = (query.get("status") or "").strip()
    if status:
        try:
            values["status"] = RunStatus(status)
        except ValueError:
            problems.append(f"unknown status {status!r} ignored")
    outcome = (query.get("outcome") or "").strip()
    if outcome in ("success", "failure"):
        values["successful"] = outcome == "success"
    sort_raw = query.get("sort") or DEFAULT_SORT
    sort: RunSort = DEFAULT_SORT
    if sort_raw in get_args(RunSort):
        sort = sort_raw  # type: ignore[assignment]  # checked against the Literal's values
    else:
        problems.append(f"unknown sort {sort_raw!r}; showing newest first")
    try:
        limit = int(query.get("limit") or 50)
    except ValueError:
        limit = 50
    limit = min(max(limit, 1), max(PAGE_SIZES))
    return RunFilters(**values), sort, limit, problems


def page_link(query: QueryParams, **changes: str | None) -> str:
    """The current /runs query with some parameters replaced (None removes one); empty ones dropped."""
    params = {k: v for k, v in query.items() if v}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return str(QueryParams(params))


def run_test_rows(text: str | None) -> list[TestRow] | None:
    """The rows of a run's ``tests`` artifact: F2P tests and every test that did not pass."""
    if not text:
        return None
    return report_rows(TestReport.model_validate_json(text))


def register(router: APIRouter, dash: Dashboard) -> None:
    """Add the run list and run detail pages to ``router``."""

    @router.get("/runs", response_class=HTMLResponse)
    def runs_page(request: Request) -> HTMLResponse:
        query = request.query_params
        filters, sort, limit, problems = parse_run_query(query)
        cursor = query.get("cursor") or None
        try:
            page = dash.store.list_runs(filters, limit=limit, cursor=cursor, sort=sort)
        except StoreError as exc:
            if exc.field != "cursor":
                raise
            problems.append("that page link has expired; showing the first page")
            page = dash.store.list_runs(filters, limit=limit, cursor=None, sort=sort)
            cursor = None
        # One extra, bounded aggregate call fills the agent/model pickers.
        pairs = dash.store.agent_stats()
        return dash.render(
            request,
            "runs.html",
            page=page,
            filters=filters,
            sort=sort,
            limit=limit,
            cursor=cursor,
            problems=problems,
            statuses=[s.value for s in RunStatus],
            sort_labels=SORT_LABELS,
            page_sizes=PAGE_SIZES,
            agents=sorted({str(p.key.get("agent")) for p in pairs if p.key.get("agent")}),
            models=sorted({str(p.key.get("model")) for p in pairs if p.key.get("model")}),
            next_link=page_link(query, cursor=page.next_cursor) if page.next_cursor else None,
            first_link=page_link(query, cursor=None) if cursor else None,
            outcome=(query.get("outcome") or ""),
        )

    @router.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str) -> HTMLResponse:
        try:
            run = dash.store.get_run(run_id)
            names = set(dash.store.artifact_names(run_id))
        except NotFoundError:
            return dash.not_found(request, "run", run_id)
        # Only the artifacts this page shows, each fetched once (no list × get_run loops).
        texts = {name: dash.store.get_artifact(run_id, name) for name in SHOWN_ARTIFACTS if name in names}
        diff = parse_diff(texts["diff"]) if texts.get("diff") else None
        trajectory = parse_trajectory(texts["trajectory"]) if "trajectory" in texts else None
        weights = sum(e.weight for e in run.evaluations if e.score is not None)
        return dash.render(
            request,
            "run.html",
            run=run,
            diff=diff,
            trajectory=trajectory,
            agent_output=parse_agent_output(texts["agent_output"]) if "agent_output" in texts else None,
            judge=parse_agent_output(texts["judge"]) if "judge" in texts else None,
            weight_total=weights,
            test_rows=run_test_rows(texts.get("tests")),
            other_artifacts=sorted(names - set(SHOWN_ARTIFACTS) - {"validation"}),
        )
