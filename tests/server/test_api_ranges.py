"""Number ranges on the write API (422 naming the field, single and bulk), and read endpoints that
answer 200 with valid JSON over rows an older server stored out of range, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_helpers import original_payload, rich_payload
from fastapi.testclient import TestClient

from zebench.results.models import EvaluationResult, RunRecord, Telemetry
from zebench.store import SqlStore
from zebench.store.rollup_check import verify_rollups

BULK = "/api/results:batch"
Path = tuple[str | int, ...]

# (where in zebench's payload, a value outside the range): every number the API bounds.
OUT_OF_RANGE: list[tuple[Path, Any]] = [
    (("totalScore",), 1e308),
    (("totalScore",), 1.0000001),
    (("totalScore",), -0.5),
    (("successThreshold",), -0.5),
    (("successThreshold",), 1.5),
    (("weightedScore",), 10.5),
    (("successMetric",), -1),
    (("attempt",), 0),
    (("evaluations", 0, "score"), 2),
    (("evaluations", 0, "score"), -1e-9),
    (("evaluations", 0, "weight"), -1.0),
    (("evaluations", 0, "maxScore"), 0),
    (("evaluations", 0, "maxScore"), 7.5),
    (("telemetry", "costUsd"), -0.01),
    (("telemetry", "costUsd"), 1e308),
    (("telemetry", "judgeCostUsd"), -1),
    (("telemetry", "durationMs"), -1),
    (("telemetry", "agentDurationMs"), -5),
    (("telemetry", "turns"), -1),
    (("telemetry", "toolCalls"), -1),
    (("telemetry", "tokens", "input"), -1),
    (("telemetry", "judgeTokens", "output"), -3),
    (("validation", 0, "durationMs"), -1),
]
# Values JSON cannot spell but Python's parser (and so the server's) reads: NaN, +/-infinity.
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999"]


def set_path(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    node: Any = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return body


def field(path: Path) -> str:
    return ".".join(str(p) for p in path)


def raw_with(path: Path, token: str, run_id: str) -> bytes:
    """A payload whose number at ``path`` is ``token`` verbatim (e.g. NaN), as a careless client sends it."""
    marker = 123456.789
    text = json.dumps(set_path(rich_payload(run_id), path, marker))
    return text.replace(repr(marker), token).encode()


def post_raw(client: TestClient, url: str, body: bytes) -> Any:
    return client.post(url, content=body, headers={"Content-Type": "application/json"})


def test_out_of_range_is_a_422_naming_the_field(any_client: TestClient, any_store: SqlStore) -> None:
    for path, value in OUT_OF_RANGE:
        r = any_client.post("/api/results", json=set_path(rich_payload("run_bad"), path, value))
        assert r.status_code == 422, (path, value, r.text)
        assert r.json()["error"].startswith(f"Invalid request: {field(path)}: "), (path, value)
    for path in [("totalScore",), ("evaluations", 0, "weight"), ("telemetry", "costUsd")]:
        for token in NON_FINITE:
            r = post_raw(any_client, "/api/results", raw_with(path, token, "run_bad"))
            assert r.status_code == 422, (path, token, r.text)
            assert field(path) in r.json()["error"], (path, token)
    assert any_store.stats().runs == 0


def test_bulk_refuses_each_out_of_range_run_alone(any_client: TestClient, any_store: SqlStore) -> None:
    runs = [set_path(rich_payload(f"run_{i}"), path, value) for i, (path, value) in enumerate(OUT_OF_RANGE)]
    runs.append(rich_payload("run_ok"))
    r = any_client.post(BULK, json={"runs": runs})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["invalid"], body["created"]) == (len(OUT_OF_RANGE), 1)
    for item, (path, _) in zip(body["results"], OUT_OF_RANGE, strict=False):
        assert (item["status"], item["outcome"]) == (422, "invalid")
        assert item["error"].startswith(f"Invalid request: {field(path)}: ")
        assert item["details"][0]["field"] == field(path)
    assert [r.run_id for r in any_store.list_runs().items] == ["run_ok"]


def test_bulk_refuses_non_finite_numbers_per_run(any_client: TestClient) -> None:
    items = [raw_with(("totalScore",), "NaN", "run_n"), json.dumps(rich_payload("run_ok")).encode()]
    r = post_raw(any_client, BULK, b'{"runs": [' + b",".join(items) + b"]}")
    assert [(i["status"], i["outcome"]) for i in r.json()["results"]] == [(422, "invalid"), (201, "created")]
    assert "totalScore" in r.json()["results"][0]["error"]


def test_boundaries_are_accepted(any_client: TestClient, any_store: SqlStore) -> None:
    low = rich_payload("run_low", totalScore=0, successThreshold=0, weightedScore=0, successMetric=0)
    set_path(low, ("evaluations", 0, "score"), 0)
    set_path(low, ("evaluations", 0, "weight"), 0)
    set_path(low, ("telemetry", "costUsd"), 0)
    high = rich_payload("run_high", totalScore=1, successThreshold=1, weightedScore=10, successMetric=1)
    set_path(high, ("evaluations", 0, "score"), 1.0)
    set_path(high, ("evaluations", 0, "weight"), 1e6)
    set_path(high, ("evaluations", 0, "maxScore"), 1)
    set_path(high, ("telemetry", "costUsd"), 1e9)
    set_path(high, ("telemetry", "judgeCostUsd"), 1e9)
    assert any_client.post("/api/results", json=low).status_code == 201
    assert any_client.post(BULK, json={"runs": [high]}).json()["created"] == 1
    assert any_store.get_run("run_high").telemetry.cost_usd == 1e9
    # The original Worker's shape: weightedScore on its 0..10 scale, evaluations with maxScore 1.
    assert any_client.post("/api/results", json=original_payload()).status_code == 201


def test_batch_upsert_bounds_its_totals(client: TestClient) -> None:
    for name, value in [("avgScore", 11), ("avgWeightedScore", -1), ("totalRuns", -1)]:
        r = client.post("/api/results/batch", json={"batchId": "batch_x", name: value})
        assert r.status_code == 422 and r.json()["error"].startswith(f"Invalid request: {name}: ")


# -- rows an older server stored ---------------------------------------------------------------


def old_run(run_id: str, total: float, score: float, weight: float, cost: float, **kw: Any) -> RunRecord:
    """A run as an older server stored it: the shared models take any float, only the API bounds them."""
    return RunRecord(
        run_id=run_id,
        batch_id="batch_old",
        suite="s",
        scenario=kw.pop("scenario", "c"),
        tier="L1",
        agent=kw.pop("agent", "a"),
        status="completed",
        total_score=total,
        success_threshold=kw.pop("threshold", 0.7),
        evaluations=[EvaluationResult(name="tests", score=score, weight=weight, passed=True)],
        telemetry=Telemetry(duration_ms=10, cost_usd=cost, judge_cost_usd=cost),
        **kw,
    )


OLD_ROWS = [
    old_run("run_huge", 1e308, 1e308, -1.0, 1e308, threshold=-0.5),
    old_run("run_huge2", 1e308, 5.0, 2.0, 1e308, agent="b"),
    old_run("run_neg", -3.0, -1e308, 1e308, -1.0, scenario="d"),
]
STATS = ["/api/stats", "/api/stats/agents", "/api/stats/scenarios", "/api/stats/scenarios?per=suite"]
STATS += ["/api/stats/evaluators", "/api/stats/costs", "/api/stats?batchId=batch_old"]
STATS += ["/api/stats/scenarios?batchId=batch_old", "/api/stats?agent=a"]
READS = ["/api/batches", "/api/batches/batch_old", "/api/batches/batch_old?withEvaluations=true"]
READS += ["/api/runs", "/api/runs?sort=-total_score", "/api/runs?sort=cost_usd&agent=a"]
READS += [f"/api/runs/{r.run_id}{tail}" for r in OLD_ROWS for tail in ("", "/evaluations", "/telemetry")]
PAGES = ["/", "/runs", "/runs/run_huge", "/runs/run_neg", "/batches", "/batches/batch_old"]
PAGES += ["/batches/compare?ids=batch_old&ids=batch_old", "/agents", "/suites", "/evaluators", "/costs"]


def strict_json(text: str) -> Any:
    """JSON as the standard defines it: NaN and Infinity are not numbers there."""

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON number {token}")

    return json.loads(text, parse_constant=refuse)


def test_reads_answer_200_over_rows_an_older_server_stored(
    any_client: TestClient, any_store: SqlStore
) -> None:
    any_store.save_runs(OLD_ROWS)
    assert verify_rollups(any_store) == []
    for url in STATS + READS:
        r = any_client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        strict_json(r.text)
    for url in PAGES:
        r = any_client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
    stats = strict_json(any_client.get("/api/stats").text)
    # Aggregates read each score clamped into 0..1 and each cost into 0..1e9 (1e308 is 1, -3 is 0).
    assert (stats["runs"], stats["minScore"], stats["maxScore"]) == (3, 0.0, 1.0)
    assert stats["meanScore"] == pytest.approx(2 / 3) and stats["totalCostUsd"] == pytest.approx(2e9)
    assert stats["scoreHistogram"] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    (tests,) = strict_json(any_client.get("/api/stats/evaluators").text)
    assert (tests["meanScore"], tests["minScore"], tests["maxScore"]) == (pytest.approx(2 / 3), 0.0, 1.0)
    # The run itself is shown as stored.
    run = strict_json(any_client.get("/api/runs/run_huge").text)["run"]
    assert (run["totalScore"], run["successThreshold"]) == (1e308, -0.5)
    # And new writes into the same cells keep working (on PostgreSQL 1e308 + 1e308 used to overflow).
    assert any_client.post("/api/results", json=rich_payload("run_new")).status_code == 201
    assert any_client.get("/api/stats").json()["runs"] == 4
