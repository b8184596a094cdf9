"""Aggregate routes: global stats, per agent/model, per evaluator and costs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from zebench.server.auth import require_read
from zebench.server.deps import get_store
from zebench.server.errors import ERROR_RESPONSES
from zebench.server.render import FastJSONResponse, breakdown_body, cost_row, stats_body
from zebench.server.routes.params import run_filters
from zebench.store.base import ResultStore
from zebench.store.queries import RunFilters, ScenarioLevel

router = APIRouter(prefix="/api/stats", tags=["stats"], dependencies=[Depends(require_read)])

Store = Annotated[ResultStore, Depends(get_store)]


@router.get("", summary="Aggregates over all (or filtered) runs", responses=ERROR_RESPONSES)
def stats(store: Store, filters: Annotated[RunFilters, Depends(run_filters)]) -> JSONResponse:
    """zebench's score stats and histogram, plus the original's totalRuns/successfulRuns/avgScore.
    Unlike the original (completed runs only), every run matching the filters counts."""
    return FastJSONResponse(stats_body(store.stats(filters)))


@router.get("/agents", summary="Aggregates per agent/model pair", responses=ERROR_RESPONSES)
def agent_stats(store: Store) -> JSONResponse:
    return FastJSONResponse([breakdown_body(row) for row in store.agent_stats()])


@router.get(
    "/scenarios", summary="Aggregates per suite/scenario/tier (or per suite)", responses=ERROR_RESPONSES
)
def scenario_stats(
    store: Store,
    filters: Annotated[RunFilters, Depends(run_filters)],
    per: Annotated[
        ScenarioLevel, Query(description="group by suite/scenario/tier, or by suite")
    ] = "scenario",
) -> JSONResponse:
    """One row per (suite, scenario, tier) of the runs matching the filters, or per suite."""
    return FastJSONResponse([breakdown_body(row) for row in store.scenario_stats(filters, per=per)])


@router.get("/evaluators", summary="Aggregates per evaluator", responses=ERROR_RESPONSES)
def evaluator_stats(store: Store) -> JSONResponse:
    return FastJSONResponse([breakdown_body(row) for row in store.evaluator_stats()])


@router.get("/costs", summary="Cost per agent/model pair", responses=ERROR_RESPONSES)
def cost_stats(store: Store) -> JSONResponse:
    """Total and mean cost, tokens and score per dollar (mean score / mean cost) per agent/model."""
    return FastJSONResponse([cost_row(row) for row in store.agent_stats()])
