"""POST /api/results:batch on SQLite and PostgreSQL: per-run outcomes, one transaction, exact rollups."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import pytest
from api_helpers import WRITE_KEY, original_payload, rich_payload
from fastapi.testclient import TestClient

from refusing_db import refusing
from zebench.server.ingest import RESERVED_KEY, content_hash, run_from_payload
from zebench.server.schemas import MAX_BULK_RUNS, SubmitRunPayload
from zebench.store import SqlStore
from zebench.store.rollup_check import verify_rollups

BULK = "/api/results:batch"
MakeClient = Callable[..., TestClient]


def bulk(client: TestClient, runs: list[Any], **kwargs: Any) -> dict[str, Any]:
    r = client.post(BULK, json={"runs": runs}, **kwargs)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert [item["index"] for item in body["results"]] == list(range(len(runs)))
    return body


def statuses(body: dict[str, Any]) -> list[tuple[str | None, int, str]]:
    return [(i["runId"], i["status"], i["outcome"]) for i in body["results"]]


def content(store: SqlStore, run_id: str) -> dict[str, Any]:
    """A stored run without its id and the server's hash entry (which covers the id)."""
    run = store.get_run(run_id)
    return {
        **run.model_dump(exclude={"run_id"}),
        "metadata": {k: v for k, v in run.metadata.items() if k != RESERVED_KEY},
    }


def varied(i: int) -> dict[str, Any]:
    """Run payloads of both shapes spread over batches, statuses, agents and scores."""
    if i % 3 == 0:
        return original_payload(f"run_o{i}", batchId=f"batch_{i % 4}", totalScore=i / 50, tier=f"L{i % 3}")
    status = ["completed", "failed", "running", "timed_out"][i % 4]
    overrides: dict[str, Any] = {
        "batchId": f"batch_{i % 4}",
        "status": status,
        "agent": ["echo", "oracle"][i % 2],
    }
    if status == "running":
        overrides |= {"completedAt": None, "totalScore": None, "isSuccessful": False}
    else:
        overrides["totalScore"] = round((i % 10) / 10, 1)
    return rich_payload(f"run_r{i}", **overrides)


def test_bulk_stores_what_single_posts_store(any_client: TestClient, any_store: SqlStore) -> None:
    assert any_client.post("/api/results", json=rich_payload("run_single")).status_code == 201
    payloads = [rich_payload("run_twin"), *(varied(i) for i in range(40))]
    body = bulk(any_client, payloads)
    assert body["created"] == 41 and body["results"][0] == {
        "index": 0, "runId": "run_twin", "status": 201, "outcome": "created", "error": None, "details": None
    }  # fmt: skip
    assert sum(body[k] for k in ("duplicate", "replaced", "conflict", "invalid", "failed")) == 0

    assert content(any_store, "run_single") == content(any_store, "run_twin")
    assert any_store.get_artifact("run_twin", "diff") == any_store.get_artifact("run_single", "diff")
    assert any_client.get("/api/runs/run_twin").json()["run"]["metadata"] == {"note": "x"}
    assert any_store.list_runs(limit=100).total == 42
    assert verify_rollups(any_store) == []


def test_each_item_gets_its_own_outcome(any_client: TestClient, any_store: SqlStore) -> None:
    assert any_client.post("/api/results", json=rich_payload("run_final")).status_code == 201
    running = rich_payload(
        "run_live", status="running", completedAt=None, totalScore=None, isSuccessful=False
    )
    assert any_client.post("/api/results", json=running).status_code == 201

    body = bulk(
        any_client,
        [
            rich_payload("run_final"),
            rich_payload("run_final", totalScore=0.1),
            rich_payload("run_live"),
            rich_payload("run_new"),
            {**rich_payload("run_bad"), "totalScore": "high"},
            42,
            {"runId": "run_half"},
        ],
    )
    assert statuses(body)[:4] == [
        ("run_final", 200, "duplicate"),
        ("run_final", 409, "conflict"),
        ("run_live", 200, "replaced"),
        ("run_new", 201, "created"),
    ]
    conflict, bad, number, half = (
        body["results"][1],
        body["results"][4],
        body["results"][5],
        body["results"][6],
    )
    assert conflict["error"] == "Run already exists with different content"
    assert bad["status"] == 422 and bad["runId"] == "run_bad" and "totalScore" in bad["error"]
    assert bad["details"][0]["field"] == "totalScore"
    assert number["status"] == 422 and number["runId"] is None
    assert half["outcome"] == "invalid" and half["runId"] == "run_half"
    counts = {k: body[k] for k in ("created", "duplicate", "replaced", "conflict", "invalid", "failed")}
    assert counts == {"created": 1, "duplicate": 1, "replaced": 1, "conflict": 1, "invalid": 3, "failed": 0}

    assert any_store.get_run("run_final").total_score == 0.9  # the conflicting version was not written
    assert any_store.get_run("run_live").status.value == "completed"
    assert {r.run_id for r in any_store.list_runs().items} == {"run_final", "run_live", "run_new"}
    assert verify_rollups(any_store) == []


def test_bulk_answers_like_the_same_posts_one_by_one(any_client: TestClient, any_store: SqlStore) -> None:
    """A run id repeated inside one request sees its earlier items as stored, in order."""

    def sequence(prefix: str) -> list[Any]:
        a, b = f"{prefix}_a", f"{prefix}_b"
        running = {"status": "running", "completedAt": None, "totalScore": None, "isSuccessful": False}
        return [
            rich_payload(a, **running),
            rich_payload(a),  # running -> final: replaced
            rich_payload(a),  # duplicate of the final version
            rich_payload(a, totalScore=0.2),  # conflict
            rich_payload(b),
            rich_payload(b, **running),  # a final run cannot go back to running
            {**rich_payload(f"{prefix}_c"), "tier": ""},
            rich_payload(a),
        ]

    one_by_one = [any_client.post("/api/results", json=p).status_code for p in sequence("s")]
    in_bulk = [status for _, status, _ in statuses(bulk(any_client, sequence("b")))]
    assert in_bulk == one_by_one == [201, 200, 200, 409, 201, 409, 422, 200]
    for name in ("a", "b"):
        assert content(any_store, f"s_{name}") == content(any_store, f"b_{name}")
    assert verify_rollups(any_store) == []


def test_resending_a_bulk_request_changes_nothing(any_client: TestClient, any_store: SqlStore) -> None:
    payloads = [varied(i) for i in range(25)]
    assert bulk(any_client, payloads)["created"] == 25
    before = any_store.stats()
    again = bulk(any_client, payloads)
    assert again["duplicate"] == 25 and {s for _, s, _ in statuses(again)} == {200}
    assert any_store.stats() == before and any_store.list_runs(limit=100).total == 25
    assert verify_rollups(any_store) == []


def test_runs_hashed_by_an_earlier_server_keep_their_idempotency(
    any_client: TestClient, any_store: SqlStore
) -> None:
    """Runs stored with the v1 hash (``payloadSha256``) still answer duplicate to the same content."""
    for run_id, overrides in (
        ("run_v1", {}),
        ("run_v1_live", {"status": "running", "completedAt": None, "totalScore": None}),
    ):
        run = run_from_payload(SubmitRunPayload.model_validate(rich_payload(run_id, **overrides)))
        stamped = {**run.metadata, RESERVED_KEY: {"payloadSha256": content_hash(run)}}
        any_store.save_run(run.model_copy(update={"metadata": stamped}))  # as an earlier server wrote it

    assert any_client.post("/api/results", json=rich_payload("run_v1")).status_code == 200
    body = bulk(
        any_client,
        [rich_payload("run_v1"), rich_payload("run_v1", totalScore=0.3), rich_payload("run_v1_live")],
    )
    assert [o for _, _, o in statuses(body)] == ["duplicate", "conflict", "replaced"]
    assert bulk(any_client, [rich_payload("run_v1_live")])["duplicate"] == 1  # now by its new digest
    assert any_store.list_runs().total == 2 and verify_rollups(any_store) == []


def test_a_run_the_database_refuses_fails_alone(any_client: TestClient, any_store: SqlStore) -> None:
    with refusing(any_store, "run_refused"):
        body = bulk(
            any_client, [rich_payload("run_ok1"), rich_payload("run_refused"), rich_payload("run_ok2")]
        )
        alone = any_client.post("/api/results", json=rich_payload("run_refused")).status_code
    assert statuses(body) == [
        ("run_ok1", 201, "created"),
        ("run_refused", 503, "failed"),
        ("run_ok2", 201, "created"),
    ]
    assert body["failed"] == 1 and "refused" in body["results"][1]["details"]
    assert {r.run_id for r in any_store.list_runs().items} == {"run_ok1", "run_ok2"}
    assert verify_rollups(any_store) == []
    assert alone == 503  # as when posted alone


def test_bulk_needs_the_write_key(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    c = make_client(api_key=WRITE_KEY, read_key="a-read-key")
    runs = {"runs": [rich_payload("run_k")]}
    assert c.post(BULK, json=runs).status_code == 401
    assert c.post(BULK, json=runs, headers={"Authorization": f"Basic {WRITE_KEY}"}).status_code == 401
    r = c.post(BULK, json={"not": "checked"}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403 and r.json() == {"error": "Invalid API key"}  # auth before validation
    assert (b"wrong", WRITE_KEY.encode()) in calls  # compared in constant time
    assert c.post(BULK, json=runs, headers={"Authorization": "Bearer a-read-key"}).status_code == 403
    ok = c.post(BULK, json=runs, headers={"Authorization": f"Bearer {WRITE_KEY}"})
    assert ok.status_code == 200 and ok.json()["created"] == 1


def test_whole_request_problems_are_plain_errors(make_client: MakeClient, store: SqlStore) -> None:
    c = make_client()
    too_many = c.post(BULK, json={"runs": [rich_payload(f"run_{i}") for i in range(MAX_BULK_RUNS + 1)]})
    assert too_many.status_code == 422 and too_many.json()["error"].startswith("Invalid request: runs:")
    assert str(MAX_BULK_RUNS) in too_many.json()["error"]
    malformed = c.post(BULK, content=b'{"runs": [', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["error"] == "Malformed JSON body"
    assert c.post(BULK, json=[rich_payload("run_list")]).status_code == 422  # not {"runs": [...]}
    assert c.post(BULK, json={"runs": [], "extra": 1}).status_code == 422
    assert store.list_runs().total == 0
    empty = c.post(BULK, json={"runs": []})
    assert empty.status_code == 200 and empty.json()["results"] == []

    small = make_client(max_body_bytes=64 * 1024)
    big = [rich_payload(f"run_big{i}", artifacts={"diff": "x" * 30_000}) for i in range(3)]
    r = small.post(BULK, json={"runs": big})
    assert r.status_code == 413 and r.json()["error"] == "Request body too large"
    assert small.post(BULK, json={"runs": big[:1]}).status_code == 200  # one of them fits
    assert store.list_runs().total == 1
