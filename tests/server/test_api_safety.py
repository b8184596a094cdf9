"""Auth, loopback rule, CORS, body limits and strict validation: no input may produce a 500."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_helpers import READ_KEY, WRITE_KEY, original_payload, rich_payload
from fastapi.testclient import TestClient
from pydantic import SecretStr

from zebench.errors import StoreError
from zebench.server import ServerSettings, create_app, is_loopback, serve
from zebench.server.settings import check_settings
from zebench.store import SqlStore

MakeClient = Callable[..., TestClient]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# -- auth ----------------------------------------------------------------------------------------


def test_writes_need_the_key_when_one_is_configured(make_client: MakeClient) -> None:
    c = make_client(api_key=WRITE_KEY)
    r = c.post("/api/results", json=original_payload())
    assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
    r = c.post("/api/results", json=original_payload(), headers={"Authorization": f"Basic {WRITE_KEY}"})
    assert r.status_code == 401
    r = c.post("/api/results", json=original_payload(), headers=_bearer("dev-local-key"))
    assert r.status_code == 403 and r.json() == {"error": "Invalid API key"}
    assert c.post("/api/results", json=original_payload(), headers=_bearer(WRITE_KEY)).status_code == 201
    # Auth comes before validation: a stranger learns nothing about the schema.
    assert c.post("/api/results", json={}, headers=_bearer("nope")).status_code == 403
    assert c.get("/api/runs").status_code == 200  # reads stay open without a read key


def test_keys_are_compared_in_constant_time(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    c = make_client(api_key=WRITE_KEY)
    c.post("/api/results/batch", json={"batchId": "b1"}, headers=_bearer("wrong"))
    assert (b"wrong", WRITE_KEY.encode()) in calls


def test_no_default_key_exists(make_client: MakeClient) -> None:
    c = make_client(api_key=WRITE_KEY)
    r = c.post("/api/results/batch", json={"batchId": "b1"}, headers=_bearer("dev-local-key"))
    assert r.status_code == 403


def test_unkeyed_loopback_server_accepts_writes(client: TestClient) -> None:
    assert client.post("/api/results/batch", json={"batchId": "b1"}).status_code == 201


def test_read_key_guards_reads_but_not_health(make_client: MakeClient) -> None:
    c = make_client(api_key=WRITE_KEY, read_key=READ_KEY)
    assert c.get("/api/runs").status_code == 401
    assert c.get("/api/stats", headers=_bearer("nope")).status_code == 403
    assert c.get("/api/runs", headers=_bearer(READ_KEY)).status_code == 200
    assert c.get("/api/batches", headers=_bearer(WRITE_KEY)).status_code == 200  # the write key reads too
    assert c.get("/health").status_code == 200
    # The read key does not allow writes.
    assert c.post("/api/results/batch", json={"batchId": "b1"}, headers=_bearer(READ_KEY)).status_code == 403


# -- loopback rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True), ("0.0.0.0", False),
     ("::", False), ("192.168.1.10", False), ("example.com", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_without_key_is_refused(store: SqlStore) -> None:
    with pytest.raises(StoreError, match=r"refusing to listen on 0\.0\.0\.0 without an API key"):
        create_app(store, ServerSettings(host="0.0.0.0"))
    with pytest.raises(StoreError) as info:
        check_settings(ServerSettings(host="10.0.0.5", api_key=SecretStr(" ")))
    assert "\n" not in info.value.one_line()
    # With a key it starts, and writes need the key.
    c = TestClient(create_app(store, ServerSettings(host="0.0.0.0", api_key=SecretStr(WRITE_KEY))))
    assert c.post("/api/results/batch", json={"batchId": "b1"}).status_code == 401


def test_serve_refuses_before_touching_the_database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZE_BENCHMARKS_API_KEY", raising=False)
    db = tmp_path / "never.db"
    with pytest.raises(StoreError, match="ZE_BENCHMARKS_API_KEY"):
        serve(f"sqlite:///{db}", host="0.0.0.0", port=8799)
    assert not db.exists()


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "ZE_BENCHMARKS_API_KEY": "k1",
        "ZEBENCH_READ_KEY": "r1",
        "ZEBENCH_CORS_ORIGINS": "http://a, http://b",
    }
    s = ServerSettings.from_env(env, port=9000)
    assert s.api_key is not None and s.api_key.get_secret_value() == "k1"
    assert s.read_key is not None and s.cors_origins == ["http://a", "http://b"] and s.port == 9000
    assert "k1" not in repr(s)  # secrets stay out of logs


# -- CORS ----------------------------------------------------------------------------------------


def test_cors_is_off_by_default(client: TestClient) -> None:
    r = client.get("/api/runs", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options(
        "/api/results", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allows_only_configured_origins(make_client: MakeClient) -> None:
    c = make_client(cors_origins=["http://dash.example"])
    ok = c.get("/api/runs", headers={"Origin": "http://dash.example"})
    assert ok.headers["access-control-allow-origin"] == "http://dash.example"
    other = c.get("/api/runs", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    pre = c.options(
        "/api/results",
        headers={
            "Origin": "http://dash.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


# -- body limits and malformed input --------------------------------------------------------------


def test_body_over_the_limit_is_413_by_content_length(make_client: MakeClient) -> None:
    c = make_client(max_body_bytes=4096)
    big = original_payload(metadata={"blob": "x" * 5000})
    r = c.post("/api/results", json=big)
    assert r.status_code == 413 and r.json()["error"] == "Request body too large"


def test_body_over_the_limit_is_413_when_streamed(make_client: MakeClient) -> None:
    c = make_client(max_body_bytes=4096)

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"runId": "r1", "metadata": {"blob": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}}'

    r = c.post("/api/results", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert c.post("/api/results", json=original_payload()).status_code == 201  # small bodies still pass


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post("/api/results", content=b'{"runId": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "Malformed JSON body"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"totalScore": False}, "totalScore"),
        ({"totalScore": "0.5"}, "totalScore"),
        ({"isSuccessful": 1}, "isSuccessful"),
        ({"isSuccessful": "true"}, "isSuccessful"),
        ({"attempt": 1.5}, "attempt"),
        ({"attempt": 2**40}, "attempt"),
        ({"status": "exploded"}, "status"),
        ({"startedAt": True}, "startedAt"),
        ({"startedAt": "yesterday"}, "startedAt"),
        ({"suite": "a\x00b"}, "suite"),
        ({"suite": ""}, "suite"),
        ({"tier": "t" * 101}, "tier"),
        ({"runId": "../etc/passwd"}, "runId"),
        ({"metadata": {"k": "\x00"}}, "metadata"),
        ({"unknownField": 1}, "unknownField"),
        ({"evaluations": [{"score": 1, "maxScore": 1}]}, "evaluations.0"),
        ({"evaluations": [{"evaluatorName": "x", "score": True, "maxScore": 1}]}, "evaluations.0.score"),
        ({"telemetry": {"tokensIn": -1}}, "telemetry.tokensIn"),
        ({"telemetry": {"toolCalls": 2**31}}, "telemetry.toolCalls"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    client: TestClient, patch: dict[str, Any], field: str
) -> None:
    r = client.post("/api/results", json={**original_payload(), **patch})
    assert r.status_code == 422, r.text
    body = r.json()
    assert field in body["error"]
    assert any(d["field"].startswith(field) for d in body["details"])


def test_non_finite_numbers_are_rejected(client: TestClient) -> None:
    for raw in (b'{"x": NaN}', b"[Infinity]"):
        r = client.post("/api/results/batch", content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422)
    body = '{"batchId": "b1", "metadata": {"x": NaN}}'
    r = client.post("/api/results/batch", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "metadata" in r.json()["error"]
    r = client.post(
        "/api/results",
        content=rich_payload_json_with("totalScore", "Infinity"),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "totalScore" in r.json()["error"]


def rich_payload_json_with(field: str, raw_value: str) -> str:
    import json

    body = rich_payload("run_nf")
    body[field] = "__RAW__"
    return json.dumps(body).replace('"__RAW__"', raw_value)


def test_lone_surrogates_and_bad_paths_never_500(client: TestClient) -> None:
    body = '{"batchId": "b1", "metadata": {"x": "\\ud800"}}'
    r = client.post("/api/results/batch", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert client.get("/api/runs/" + "x" * 500).status_code == 422
    assert client.get("/api/runs/run%00x").status_code == 422
    assert client.get("/api/runs", params={"suite": "a\x00"}).status_code == 422
    assert client.get("/api/runs/r1/artifacts/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/api/nothing").json() == {"error": "Not Found"}
    assert client.delete("/api/runs").status_code == 405
