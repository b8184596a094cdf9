"""Read routes: listing with filters, sorts and cursors; details; artifacts; batches; stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import original_payload, rich_payload, rich_run
from fastapi.testclient import TestClient

from zebench.results import EvaluationResult, RunStatus, Telemetry
from zebench.store import SqlStore


@pytest.fixture
def seeded(client: TestClient, store: SqlStore) -> TestClient:
    """12 runs over 2 batches, 2 agents, 3 statuses; posted through the API."""
    start = datetime(2025, 5, 1, tzinfo=UTC)
    for i in range(12):
        run = rich_run(
            f"run_{i:02d}",
            batch_id=f"batch_{i % 2}",
            agent="echo" if i % 3 else "claude-code",
            status=RunStatus.FAILED if i % 4 == 0 else RunStatus.COMPLETED,
            reason="agent crashed" if i % 4 == 0 else None,
            started_at=start + timedelta(minutes=i),
            total_score=i / 12,
            is_successful=i / 12 >= 0.7,
            specialist_name=None if i % 2 else "py-expert",
            telemetry=Telemetry(duration_ms=1000 * (12 - i), cost_usd=0.01 * (i + 1)),
            evaluations=[EvaluationResult(name="tests", score=i / 12, passed=i > 6)],
        )
        from zebench.client.wire import to_wire

        assert client.post("/api/results", json=to_wire(run)).status_code == 201
    return client


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["version"] and health["timestamp"]
    spec = client.get("/openapi.json").json()
    assert "/api/results" in spec["paths"]
    assert "400" in spec["paths"]["/api/results"]["post"]["responses"]
    assert client.get("/docs").status_code == 200


def test_list_runs_default_newest_first_with_total(seeded: TestClient) -> None:
    body = seeded.get("/api/runs").json()
    assert body["total"] == 12 and body["nextCursor"] is None
    assert [r["runId"] for r in body["items"]][:3] == ["run_11", "run_10", "run_09"]
    assert {"specialistEnabled", "durationMs", "costUsd", "tokensIn"} <= set(body["items"][0])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agent": "claude-code"}, {"run_00", "run_03", "run_06", "run_09"}),
        ({"status": "failed"}, {"run_00", "run_04", "run_08"}),
        ({"batchId": "batch_1", "agent": "claude-code"}, {"run_03", "run_09"}),
        ({"successful": "true"}, {"run_09", "run_10", "run_11"}),
        ({"specialist": "none", "status": "failed"}, set()),
        ({"specialist": "py-expert", "status": "failed"}, {"run_00", "run_04", "run_08"}),
        ({"suite": "nope"}, set()),
    ],
)
def test_list_runs_filters(seeded: TestClient, params: dict[str, str], expected: set[str]) -> None:
    body = seeded.get("/api/runs", params=params).json()
    assert {r["runId"] for r in body["items"]} == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("sort", ["-startedAt", "totalScore", "-durationMs", "costUsd", "-cost_usd"])
def test_cursor_pagination_visits_every_run_once_in_order(seeded: TestClient, sort: str) -> None:
    seen: list[dict[str, object]] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 5, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        page = seeded.get("/api/runs", params=params).json()
        seen += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == 12 and len({r["runId"] for r in seen}) == 12
    field = sort.lstrip("-").replace("_usd", "Usd")
    values = [r[field] for r in seen]
    assert values == sorted(values, reverse=sort.startswith("-"))  # type: ignore[type-var]


def test_limit_above_500_is_clamped_and_invalid_limits_rejected(seeded: TestClient) -> None:
    assert seeded.get("/api/runs", params={"limit": 100000}).status_code == 200
    assert seeded.get("/api/runs", params={"limit": 0}).status_code == 422
    r = seeded.get("/api/runs", params={"limit": "many"})
    assert r.status_code == 422 and "limit" in r.json()["error"]


def test_bad_cursor_is_a_400(seeded: TestClient) -> None:
    r = seeded.get("/api/runs", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert r.status_code == 400 and r.json()["error"] == "Invalid cursor"
    page = seeded.get("/api/runs", params={"limit": 2}).json()
    r = seeded.get("/api/runs", params={"cursor": page["nextCursor"], "sort": "totalScore"})
    assert r.status_code == 400


def test_run_detail_404_and_subresources(seeded: TestClient) -> None:
    r = seeded.get("/api/runs/run_missing")
    assert r.status_code == 404 and r.json() == {"error": "Run not found"}
    evals = seeded.get("/api/runs/run_05/evaluations").json()
    assert evals[0]["evaluatorName"] == "tests" and evals[0]["runId"] == "run_05"
    tel = seeded.get("/api/runs/run_05/telemetry").json()
    assert tel["durationMs"] == 7000 and tel["runId"] == "run_05"
    assert seeded.get("/api/runs/run_missing/evaluations").status_code == 404


def test_artifacts_by_name_with_content_types(seeded: TestClient) -> None:
    names = seeded.get("/api/runs/run_01/artifacts").json()["names"]
    assert {"diff", "trajectory", "validation"} <= set(names)
    diff = seeded.get("/api/runs/run_01/artifacts/diff")
    assert diff.headers["content-type"].startswith("text/plain") and diff.text == "--- a\n+++ b\n"
    traj = seeded.get("/api/runs/run_01/artifacts/trajectory")
    assert traj.headers["content-type"] == "application/json" and traj.json() == {"steps": []}
    assert seeded.get("/api/runs/run_01/artifacts/recording").status_code == 404
    assert seeded.get("/api/runs/run_zz/artifacts").status_code == 404


def test_batches_list_and_detail(seeded: TestClient) -> None:
    page = seeded.get("/api/batches", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["nextCursor"]
    rest = seeded.get("/api/batches", params={"cursor": page["nextCursor"]}).json()
    assert {page["items"][0]["batchId"], rest["items"][0]["batchId"]} == {"batch_0", "batch_1"}

    b = seeded.get("/api/batches/batch_0").json()
    assert b["batchId"] == "batch_0" and b["totalRuns"] == 6 and b["summary"]["runs"] == 6
    assert b["successfulRuns"] == 1 and b["avgScore"] == pytest.approx(sum(range(0, 12, 2)) / 12 / 6)
    assert len(b["runs"]) == 6
    assert {row["agent"] for row in b["byAgentModel"]} == {"echo", "claude-code"}
    assert b["byEvaluator"][0]["key"]["evaluator"] == "tests"
    assert b["byScenario"][0]["suite"] == "examples" and b["byTier"][0]["tier"] == "L0"
    assert {r["reason"] for r in b["failedRuns"] if r["status"] == "failed"} == {"agent crashed"}
    assert seeded.get("/api/batches/batch_nope").json() == {"error": "Batch not found"}


def test_stats_routes(seeded: TestClient) -> None:
    stats = seeded.get("/api/stats").json()
    assert stats["totalRuns"] == stats["runs"] == 12 and stats["successfulRuns"] == 3
    assert len(stats["scoreHistogram"]) == 10 and stats["batches"] == 2
    assert seeded.get("/api/stats", params={"agent": "echo"}).json()["runs"] == 8

    agents = seeded.get("/api/stats/agents").json()
    assert {(a["agent"], a["runs"]) for a in agents} == {("echo", 8), ("claude-code", 4)}
    assert all({"avgScore", "minScore", "maxScore"} <= set(a) for a in agents)
    evaluators = seeded.get("/api/stats/evaluators").json()
    assert evaluators[0]["key"] == {"evaluator": "tests"} and evaluators[0]["runs"] == 12

    costs = {c["agent"]: c for c in seeded.get("/api/stats/costs").json()}
    claude = costs["claude-code"]  # runs 0, 3, 6, 9: costs 0.01, 0.04, 0.07, 0.10
    assert claude["totalCostUsd"] == pytest.approx(0.22)
    assert claude["scorePerDollar"] == pytest.approx(claude["meanScore"] / claude["meanCostUsd"])


def test_original_list_shape_fields(client: TestClient) -> None:
    client.post("/api/results", json=original_payload())
    client.post("/api/results", json=rich_payload())
    item = client.get("/api/runs", params={"limit": 1, "agent": "claude-code"}).json()["items"][0]
    for name in ("runId", "batchId", "suite", "scenario", "tier", "agent", "model", "status", "startedAt"):
        assert name in item
    assert item["weightedScore"] == item["totalScore"]
