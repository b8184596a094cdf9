"""Round 2 of the API: fast rendering gives the same JSON, the new read endpoints, and the
duplicate check from the stored run's fingerprint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import rich_payload, rich_run
from fastapi.testclient import TestClient

from zebench.client.wire import to_wire
from zebench.results.models import EvaluationResult, RunStatus, Telemetry
from zebench.server.render import FastJSONResponse, batch_detail, summary_body
from zebench.store import SqlStore
from zebench.store.queries import EvaluationBrief, RunSummary

T0 = datetime(2025, 4, 1, 8, 0, 0, tzinfo=UTC)


def _old_summary_body(summary: RunSummary) -> dict[str, object]:
    """The rendering this round replaced."""
    body = to_wire(summary)
    body.pop("evaluations")
    body["specialistEnabled"] = summary.specialist_name is not None
    body["weightedScore"] = summary.total_score
    return body


@pytest.mark.parametrize(
    "moment", [T0, T0 + timedelta(microseconds=7), T0 + timedelta(microseconds=123456), None]
)
def test_summary_body_equals_to_wire(moment: datetime | None) -> None:
    summary = RunSummary(
        run_id="r", batch_id="b", suite="s", scenario="sc", tier="L1", agent="a", model=None,
        status=RunStatus.TIMED_OUT, started_at=moment or T0, completed_at=moment, total_score=1e-5,
        specialist_name="x", duration_ms=5, cost_usd=None, tokens_in=5_000_000_000,
    )  # fmt: skip
    fast = summary_body(summary)
    assert fast == _old_summary_body(summary)
    assert list(fast) == list(_old_summary_body(summary))  # the same key order too
    with_evals = summary.model_copy(
        update={"evaluations": [EvaluationBrief(name="t", status="error", score=None, summary="boom")]}
    )
    assert summary_body(with_evals)["evaluations"] == [
        {"name": "t", "status": "error", "score": None, "passed": False, "summary": "boom"}
    ]


def test_fast_json_is_the_same_json() -> None:
    body = {"a": [1.0, 1e-5, 0.1 + 0.2, 5_000_000_000, None, "é ✓", {"x": True}], "b": 1e20}
    fast = bytes(FastJSONResponse(body).body)
    assert json.loads(fast) == json.loads(json.dumps(body))
    assert json.loads(bytes(FastJSONResponse({"n": float("nan")}).body)) == {"n": None}


def test_batch_detail_json_equals_the_previous_rendering(client: TestClient, store: SqlStore) -> None:
    for i in range(12):
        run = rich_run(f"run_{i:02d}", batch_id="batch_r", started_at=T0 + timedelta(seconds=i))
        store.save_run(run.model_copy(update={"is_successful": i % 3 == 0, "model": None if i % 4 else "m"}))
    detail = store.get_batch("batch_r")
    got = client.get("/api/batches/batch_r").json()
    # The previous rendering: to_wire per summary, json.dumps of the whole body.
    want = batch_detail(detail)
    want["runs"] = [_old_summary_body(r) for r in detail.runs]
    want["failedRuns"] = [
        {"runId": r.run_id, "status": r.status.value, "reason": r.reason} for r in detail.failed_runs
    ]
    assert got == json.loads(json.dumps(want))
    # Failed runs are named by id; their full bodies are in runs.
    assert {f["runId"] for f in got["failedRuns"]} <= {r["runId"] for r in got["runs"]}
    assert len(got["runs"]) == 12 and "evaluations" not in got["runs"][0]
    listed = client.get("/api/runs", params={"limit": 500}).json()
    page = store.list_runs(limit=500)
    assert listed["items"] == json.loads(json.dumps([_old_summary_body(s) for s in page.items]))


def test_with_evaluations_and_fingerprint_endpoints(client: TestClient, store: SqlStore) -> None:
    evals = [EvaluationResult(name="tests", score=0.5), EvaluationResult(name="judge", status="skipped")]
    store.save_run(rich_run("r1", batch_id="b1", evaluations=evals, started_at=T0))
    body = client.get("/api/batches/b1", params={"withEvaluations": "true"}).json()
    assert [e["name"] for e in body["runs"][0]["evaluations"]] == ["tests", "judge"]
    assert body["runs"][0]["evaluations"][1] == {
        "name": "judge", "status": "skipped", "score": None, "passed": False, "summary": ""
    }  # fmt: skip
    first = client.get("/api/batches/b1/fingerprint").json()
    assert first == {"batchId": "b1", "fingerprint": store.batch_fingerprint("b1")}
    store.save_run(rich_run("r2", batch_id="b1", started_at=T0))
    assert client.get("/api/batches/b1/fingerprint").json()["fingerprint"] != first["fingerprint"]
    assert client.get("/api/batches/nope/fingerprint").status_code == 404


def test_scenario_stats_and_judge_cost_endpoints(client: TestClient, store: SqlStore) -> None:
    tel = Telemetry(duration_ms=10, judge_cost_usd=0.25)
    store.save_run(rich_run("r1", batch_id="b1", suite="s1", scenario="a", tier="L1", telemetry=tel))
    store.save_run(rich_run("r2", batch_id="b2", suite="s1", scenario="b", tier="L1", agent="other"))
    rows = client.get("/api/stats/scenarios").json()
    assert [(r["key"]["scenario"], r["runs"]) for r in rows] == [("a", 1), ("b", 1)]
    assert rows[0]["judgeCostUsd"] == 0.25 and rows[1]["judgeCostUsd"] == 0.001  # rich_run's
    suites = client.get("/api/stats/scenarios", params={"per": "suite", "agent": "other"}).json()
    assert [(r["key"], r["runs"]) for r in suites] == [({"suite": "s1"}, 1)]
    assert client.get("/api/stats").json()["judgeCostUsd"] == pytest.approx(0.251)
    assert client.get("/api/stats/scenarios", params={"per": "nope"}).status_code in (400, 422)
    assert client.get("/api/stats", params={"agent": "other"}).json()["batches"] == 1


def test_duplicate_check_from_the_fingerprint(client: TestClient, store: SqlStore) -> None:
    payload = rich_payload("run_fp", status="running")
    assert client.post("/api/results", json=payload).status_code == 201
    assert client.post("/api/results", json=payload).json()["duplicate"] is True
    final = rich_payload("run_fp", status="completed")
    assert client.post("/api/results", json=final).json()["replaced"] is True
    assert client.post("/api/results", json=final).json()["duplicate"] is True
    assert client.post("/api/results", json=rich_payload("run_fp", status="failed")).status_code == 409
    # A run written straight to the database (no payload hash) is compared by content.
    local = rich_run("run_local")
    store.save_run(local)
    assert store.get_run_fingerprint("run_local") == ("completed", None)
    assert client.post("/api/results", json=to_wire(local)).json()["duplicate"] is True
    changed = to_wire(local.model_copy(update={"total_score": 0.01}))
    assert client.post("/api/results", json=changed).status_code == 409
