"""POST /api/results and friends: both payload shapes, idempotency, replacement of running runs."""

from __future__ import annotations

from typing import Any

from api_helpers import original_payload, rich_payload, rich_run
from fastapi.testclient import TestClient

from zebench.server.ingest import RESERVED_KEY, content_hash, payload_digest, run_from_payload
from zebench.server.schemas import SubmitRunPayload
from zebench.store import SqlStore


def test_original_payload_is_stored_and_read_back_with_specialist_fields(client: TestClient) -> None:
    r = client.post("/api/results", json=original_payload())
    assert r.status_code == 201
    assert r.json() == {"success": True, "runId": "run_orig_1"}

    detail = client.get("/api/runs/run_orig_1").json()
    run = detail["run"]
    assert run["specialistEnabled"] is True
    assert run["specialistName"] == "nx-expert"
    assert run["specialistVersion"] == "1.2.0"
    assert run["promptSent"] == "Upgrade nx please"
    assert run["weightedScore"] == 8.2 and run["successMetric"] == 0.82
    assert run["metadata"] == {"diffSummary": ["a.ts"], "packageManager": "pnpm"}  # an object, no server keys
    assert [e["evaluatorName"] for e in detail["evaluations"]] == ["install", "llm_judge"]
    assert detail["evaluations"][0]["details"] == {"text": "ok"}
    tel = detail["telemetry"]
    assert (tel["toolCalls"], tel["tokensIn"], tel["tokensOut"], tel["costUsd"]) == (12, 1000, 200, 0.05)
    assert tel["durationMs"] == 300000 and tel["workspaceDir"] == "/tmp/ws"
    assert tel["promptSent"] == "Upgrade nx please"


def test_original_payload_without_batch_goes_to_the_unbatched_batch(client: TestClient) -> None:
    body = original_payload("run_nobatch")
    del body["batchId"]
    assert client.post("/api/results", json=body).status_code == 201
    assert client.get("/api/runs/run_nobatch").json()["run"]["batchId"] == "unbatched"


def test_rich_payload_round_trips_every_field(client: TestClient, store: SqlStore) -> None:
    assert client.post("/api/results", json=rich_payload()).status_code == 201
    stored = store.get_run("run_rich_1")
    expected = rich_run()
    # Everything but the server's bookkeeping entry in metadata and the (separately loaded) artifacts.
    assert stored.model_dump(exclude={"metadata", "artifacts"}) == expected.model_dump(
        exclude={"metadata", "artifacts"}
    )
    assert {k: v for k, v in stored.metadata.items() if k != "zebench:api"} == expected.metadata
    assert store.get_artifact("run_rich_1", "diff") == expected.artifacts["diff"]

    run = client.get("/api/runs/run_rich_1").json()
    assert run["run"]["changedFiles"] == [
        {"path": "src/a.py", "change": "modified", "oldPath": None, "binary": False}
    ]
    assert run["run"]["validation"][0]["stdout"] == "3 passed"
    assert run["telemetry"]["tokens"] == {"input": 10, "output": 20, "cacheRead": 30, "cacheWrite": 40}
    assert run["telemetry"]["judgeCostUsd"] == 0.001 and run["telemetry"]["costKind"] == "measured"
    assert run["evaluations"][0]["required"] is True and run["evaluations"][0]["weight"] == 2.0
    assert "zebench:api" not in run["run"]["metadata"]


def test_idempotency_created_duplicate_conflict(client: TestClient) -> None:
    body = rich_payload("run_idem")
    assert client.post("/api/results", json=body).status_code == 201
    again = client.post("/api/results", json=body)
    assert again.status_code == 200
    assert again.json() == {"success": True, "runId": "run_idem", "duplicate": True}
    changed = client.post("/api/results", json={**body, "totalScore": 0.1})
    assert changed.status_code == 409
    assert "different content" in changed.json()["error"]
    assert client.get("/api/runs/run_idem").json()["run"]["totalScore"] == 0.9
    assert client.get("/api/runs").json()["total"] == 1


def test_duplicate_detection_survives_equivalent_timestamps(client: TestClient) -> None:
    body = original_payload("run_tz")
    assert client.post("/api/results", json=body).status_code == 201
    same = {**body, "startedAt": "2025-01-02T04:04:05+01:00"}  # the same instant, another offset
    assert client.post("/api/results", json=same).status_code == 200


def test_running_run_is_replaced_by_its_final_version(client: TestClient) -> None:
    running = rich_payload(
        "run_live", status="running", completedAt=None, totalScore=None, isSuccessful=False
    )
    assert client.post("/api/results", json=running).status_code == 201
    final = rich_payload("run_live")
    r = client.post("/api/results", json=final)
    assert r.status_code == 200 and r.json()["replaced"] is True
    run = client.get("/api/runs/run_live").json()["run"]
    assert run["status"] == "completed" and run["totalScore"] == 0.9
    # Once final, it cannot be overwritten with other content.
    assert client.post("/api/results", json={**final, "status": "failed"}).status_code == 409
    assert client.get("/api/runs", params={"batchId": "batch_rich"}).json()["total"] == 1


def test_batch_upsert_ignores_totals_and_keeps_created_at(client: TestClient) -> None:
    body: dict[str, Any] = {
        "batchId": "batch_up",
        "createdAt": 1735787045000,  # ms, as the original sent it
        "metadata": {"plan": ["a"]},
        "totalRuns": 99,
        "successfulRuns": 98,
        "avgScore": 9.9,
    }
    r = client.post("/api/results/batch", json=body)
    assert r.status_code == 201 and r.json() == {"success": True, "batchId": "batch_up"}
    r = client.post(
        "/api/results/batch",
        json={
            "batchId": "batch_up",
            "createdAt": "2030-01-01T00:00:00Z",
            "completedAt": "2025-01-02T04:00:00Z",
        },
    )
    assert r.status_code == 201
    batch = client.get("/api/batches/batch_up").json()
    assert batch["createdAt"] == "2025-01-02T03:04:05Z"
    assert batch["completedAt"] == "2025-01-02T04:00:00Z"
    assert batch["totalRuns"] == 0 and batch["avgScore"] is None  # computed from runs, not the payload


def test_control_is_stored_with_its_batch(client: TestClient) -> None:
    body = {
        "batchId": "batch_ctl",
        "suite": "examples",
        "scenario": "fix-tests",
        "passed": False,
        "commands": [{"name": "test", "kind": "test", "command": "pytest", "exitCode": 1}],
    }
    assert client.post("/api/results/control", json=body).status_code == 201
    controls = client.get("/api/batches/batch_ctl").json()["controls"]
    assert controls[0]["passed"] is False and controls[0]["commands"][0]["exitCode"] == 1


def test_runs_hashed_by_an_earlier_server_answer_duplicate_after_the_upgrade(
    client: TestClient, store: SqlStore
) -> None:
    """An earlier server stored ``payloadSha256`` (v1); the same content must still be a duplicate."""
    run = run_from_payload(SubmitRunPayload.model_validate(rich_payload("run_v1")))
    store.save_run(
        run.model_copy(
            update={"metadata": {**run.metadata, RESERVED_KEY: {"payloadSha256": content_hash(run)}}}
        )
    )
    assert client.post("/api/results", json=rich_payload("run_v1")).json()["duplicate"] is True
    assert client.post("/api/results", json=rich_payload("run_v1", totalScore=0.2)).status_code == 409


def test_the_digest_hashes_artifacts_as_bytes_and_covers_them(client: TestClient, store: SqlStore) -> None:
    body = rich_payload("run_d")
    assert client.post("/api/results", json=body).status_code == 201
    reserved = store.get_run("run_d").metadata[RESERVED_KEY]
    assert set(reserved) == {"payloadDigest"} and reserved["payloadDigest"].startswith("v2:")
    run = run_from_payload(SubmitRunPayload.model_validate(body))
    assert reserved["payloadDigest"] == payload_digest(run)
    changed = {**body, "artifacts": {**body["artifacts"], "diff": body["artifacts"]["diff"] + " "}}
    assert client.post("/api/results", json=changed).status_code == 409  # one byte of an artifact counts
    assert client.post("/api/results", json=body).status_code == 200
