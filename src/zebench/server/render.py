"""Responses: zebench's models in camelCase, plus the original Worker API's field names.

The original's names (``totalRuns``, ``avgScore``, ``evaluatorName``, ``tokensIn``...) are added
next to zebench's so existing dashboards and clients keep working; ``zebench.client`` reads only
zebench's names and ignores the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic_core
from fastapi.responses import JSONResponse

from zebench.client.wire import to_camel, to_wire
from zebench.results.models import EvaluationResult, RunRecord
from zebench.server.ingest import RESERVED_KEY
from zebench.store.queries import BatchDetail, BatchSummary, BreakdownRow, GlobalStats, RunSummary, ScoreStats


def _public_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k != RESERVED_KEY}


def _compat(run: RunRecord) -> dict[str, Any]:
    reserved = run.metadata.get(RESERVED_KEY)
    return dict(reserved) if isinstance(reserved, dict) else {}


def run_body(run: RunRecord) -> dict[str, Any]:
    """The ``run`` object of a run detail: every stored field except the nested collections."""
    body = to_wire(run)
    for nested in ("evaluations", "telemetry", "artifacts"):
        body.pop(nested)
    compat = _compat(run)
    body["metadata"] = _public_metadata(run.metadata)
    body["weightedScore"] = compat.get("weightedScore", run.total_score)
    body["successMetric"] = compat.get("successMetric")
    body["specialistEnabled"] = bool(run.specialist_name is not None or compat.get("specialistEnabled"))
    return body


def evaluation_body(run_id: str, evaluation: EvaluationResult) -> dict[str, Any]:
    body = to_wire(evaluation)
    body["runId"] = run_id
    body["evaluatorName"] = evaluation.name
    return body


def telemetry_body(run: RunRecord) -> dict[str, Any]:
    body = to_wire(run.telemetry)
    body["runId"] = run.run_id
    body["tokensIn"] = run.telemetry.tokens.input
    body["tokensOut"] = run.telemetry.tokens.output
    body["promptSent"] = run.prompt_sent
    return body


def run_detail(run: RunRecord) -> dict[str, Any]:
    """``GET /api/runs/{id}``: the original's ``{run, evaluations, telemetry}``, with every field."""
    return {
        "run": run_body(run),
        "evaluations": [evaluation_body(run.run_id, e) for e in run.evaluations],
        "telemetry": telemetry_body(run),
    }


class FastJSONResponse(JSONResponse):
    """JSONResponse encoded by pydantic-core's serializer (Rust, already a dependency).

    The same JSON values as ``json.dumps`` (floats may be spelled differently, e.g. ``0.00001``
    for ``1e-05``) at a third of the time on the 1 MB batch and 500-run pages. NaN and infinity,
    which ``JSONResponse`` refuses with a 500, become null.
    """

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content, inf_nan_mode="null")


# RunSummary fields as (name, wire name), without the optional evaluations (rendered apart).
_SUMMARY_WIRE = tuple((name, to_camel(name)) for name in RunSummary.model_fields if name != "evaluations")


def _json_time(moment: datetime | None) -> str | None:
    # Pydantic's JSON spelling of the store's UTC datetimes: ISO 8601 with "Z" (a test compares).
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def summary_body(summary: RunSummary) -> dict[str, Any]:
    """A run summary in the wire format: ``to_wire(summary)`` plus the original's field names.

    Built straight from the model's values (``to_wire`` dumps and re-walks every field; at 500
    runs a page that was most of the rendering time). ``evaluations`` appears only when loaded.
    """
    values = summary.__dict__
    body = {camel: values[name] for name, camel in _SUMMARY_WIRE}
    body["status"] = summary.status.value
    body["startedAt"] = _json_time(summary.started_at)
    body["completedAt"] = _json_time(summary.completed_at)
    if summary.evaluations is not None:
        body["evaluations"] = [e.model_dump() for e in summary.evaluations]
    body["specialistEnabled"] = summary.specialist_name is not None
    body["weightedScore"] = summary.total_score  # lists carry no metadata; same as totalScore here
    return body


def _score_compat(stats: ScoreStats) -> dict[str, Any]:
    return {
        "totalRuns": stats.runs,
        "successfulRuns": stats.successes,
        "avgScore": stats.mean_score,
        "avgWeightedScore": stats.mean_score,
    }


def batch_summary_body(summary: BatchSummary) -> dict[str, Any]:
    body = to_wire(summary)
    body.update(_score_compat(summary))
    return body


def breakdown_body(row: BreakdownRow) -> dict[str, Any]:
    body = to_wire(row)
    # The original's /api/stats/agents rows were flat ({agent, runs, avgScore, minScore, maxScore}).
    for name, value in row.key.items():
        body.setdefault(name, value)
    body["avgScore"] = row.mean_score
    body["minScore"] = row.min_score
    body["maxScore"] = row.max_score
    return body


def batch_detail(detail: BatchDetail) -> dict[str, Any]:
    """``GET /api/batches/{id}``: the original's ``{...batch, runs}`` plus zebench's breakdowns."""
    body = batch_summary_body(detail.summary)
    body["summary"] = to_wire(detail.summary)
    runs = {r.run_id: summary_body(r) for r in detail.runs}
    body["runs"] = list(runs.values())
    body["byScenario"] = [breakdown_body(r) for r in detail.by_scenario]
    body["byTier"] = [breakdown_body(r) for r in detail.by_tier]
    body["byAgentModel"] = [breakdown_body(r) for r in detail.by_agent_model]
    body["byEvaluator"] = [breakdown_body(r) for r in detail.by_evaluator]
    # Failed runs are a subset of ``runs``: repeating their bodies doubled a 500-run response, so
    # only the id, status and reason are listed here (RemoteStore rebuilds the full summaries).
    body["failedRuns"] = [
        {"runId": r.run_id, "status": r.status.value, "reason": r.reason} for r in detail.failed_runs
    ]
    body["controls"] = [to_wire(c) for c in detail.controls]
    return body


def stats_body(stats: GlobalStats) -> dict[str, Any]:
    body = to_wire(stats)
    body.update(_score_compat(stats))
    return body


def cost_row(row: BreakdownRow) -> dict[str, Any]:
    """Cost per agent/model pair, with score per dollar where a cost is known."""
    per_dollar = None
    if row.mean_score is not None and row.mean_cost_usd:
        per_dollar = row.mean_score / row.mean_cost_usd
    return {
        "agent": row.key.get("agent"),
        "model": row.key.get("model"),
        "key": row.key,
        "runs": row.runs,
        "successes": row.successes,
        "totalCostUsd": row.total_cost_usd,
        "meanCostUsd": row.mean_cost_usd,
        "tokensIn": row.tokens_in,
        "tokensOut": row.tokens_out,
        "meanScore": row.mean_score,
        "scorePerDollar": per_dollar,
        "successesPerDollar": (row.successes / row.total_cost_usd) if row.total_cost_usd else None,
    }
