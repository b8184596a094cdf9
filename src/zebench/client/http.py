"""``ResultsClient``: the results API over HTTP (httpx2), with bounded retries.

Writes are safe to retry because the server is idempotent by ``runId``: a retried submission
that had in fact been stored answers 200 ``duplicate`` instead of creating a second copy. Many
runs go through the bulk endpoint (``submit_runs``), or one by one on servers without it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any, Literal

import httpx2

from zebench.client import bulk
from zebench.client.bulk import RunSubmission
from zebench.client.wire import from_wire, to_wire
from zebench.errors import NotFoundError, StoreError
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.store.queries import (
    BatchDetail,
    BatchPage,
    BreakdownRow,
    GlobalStats,
    RunFilters,
    RunPage,
    RunSort,
)

URL_ENV = "ZE_BENCHMARKS_WORKER_URL"
API_KEY_ENV = "ZE_BENCHMARKS_API_KEY"
READ_KEY_ENV = "ZEBENCH_READ_KEY"
DEFAULT_URL = "http://127.0.0.1:8787"

SubmitOutcome = Literal["created", "duplicate", "replaced"]


class ServerUnavailableError(StoreError):
    """The server could not be reached or kept failing (5xx): worth trying again later."""


class ServerRejectedError(StoreError):
    """The server refused the request (4xx): sending it again will not help."""

    def __init__(self, message: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class KeyRejectedError(ServerRejectedError):
    """The server refused the API key (401/403): nothing sent with this key will be taken, however
    valid. Not a verdict on any record: the fix is the key, then sending again."""


class ResultsClient:
    """A client of the zebench (or original ze-benchmarks) results API.

    ``base_url`` defaults to ``$ZE_BENCHMARKS_WORKER_URL`` and the key to ``$ZE_BENCHMARKS_API_KEY``
    (reads fall back to ``$ZEBENCH_READ_KEY``). Connection errors and 5xx answers are retried
    ``retries`` times with exponential backoff (``backoff`` × 2ⁿ seconds, at most 5 s per wait).
    ``submit_runs`` sends at most ``bulk_max_runs`` runs and about ``bulk_max_bytes`` per request.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 30,
        *,
        read_key: str | None = None,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx2.BaseTransport | None = None,
        bulk_max_runs: int = bulk.DEFAULT_MAX_RUNS,
        bulk_max_bytes: int = bulk.DEFAULT_MAX_BYTES,
    ) -> None:
        url = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        self.base_url = url
        self.api_key = api_key if api_key is not None else (os.environ.get(API_KEY_ENV) or None)
        self.read_key = read_key if read_key is not None else (os.environ.get(READ_KEY_ENV) or None)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.bulk_max_runs = max(1, bulk_max_runs)
        self.bulk_max_bytes = bulk_max_bytes
        self._http = httpx2.Client(base_url=url, timeout=timeout, transport=transport)
        # None until the server has answered a bulk request; False for servers without the endpoint.
        self._bulk_supported: bool | None = None

    # -- plumbing -------------------------------------------------------------------------------

    def _headers(self, write: bool) -> dict[str, str]:
        key = self.api_key if write else (self.read_key or self.api_key)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        write: bool = False,
    ) -> httpx2.Response:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), 5.0))
            try:
                headers = self._headers(write)
                if content is not None:
                    headers["Content-Type"] = "application/json"
                response = self._http.request(
                    method, path, json=json, content=content, params=params, headers=headers
                )
            except httpx2.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}: {_error_text(response)}"
                continue
            return response
        raise ServerUnavailableError(
            f"results server {self.base_url} unavailable ({last})",
            hint=f"check {URL_ENV} and that `zebench serve` is running",
        )

    def _check(self, response: httpx2.Response, what: str) -> httpx2.Response:
        status = response.status_code
        if status < 400:
            return response
        text = _error_text(response)
        if status == 404:
            raise NotFoundError(f"{what} not found on {self.base_url}")
        if status in (401, 403):
            raise KeyRejectedError(
                f"{what}: the results server {self.base_url} refused the key (HTTP {status}: {text})",
                status=status,
                hint=f"set {API_KEY_ENV} to the server's write key",
            )
        raise ServerRejectedError(f"{what}: HTTP {status}: {text}", status=status)

    def _get(self, path: str, what: str, params: dict[str, Any] | None = None) -> Any:
        return self._check(self._request("GET", path, params=params), what).json()

    # -- writes ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /health``; raises ServerUnavailableError when the server is down."""
        body: dict[str, Any] = self._get("/health", "health")
        return body

    def submit_run(self, run: RunRecord) -> SubmitOutcome:
        """POST the run; ``created``, ``duplicate`` (already stored) or ``replaced`` (was running).
        Raises ServerRejectedError (409 for another run under the same id) or ServerUnavailableError."""
        response = self._request("POST", "/api/results", json=to_wire(run), write=True)
        body = self._check(response, f"submitting run {run.run_id}").json()
        if response.status_code == 201:
            return "created"
        return "replaced" if body.get("replaced") else "duplicate"

    def submit_runs(self, runs: Sequence[RunRecord]) -> list[RunSubmission]:
        """Submit ``runs`` through ``POST /api/results:batch`` in chunks; one result per run, in order.

        Each run gets the outcome ``submit_run`` would give it, but refusals are results, not
        exceptions. A server without the bulk endpoint (404/405) gets one ``POST /api/results`` per
        run instead, from then on. Raises ServerUnavailableError when the server cannot be reached
        (runs of earlier chunks may be stored: sending them again is safe, they are duplicates) and
        ServerRejectedError when it refuses the request as a whole (401/403: the key).
        """
        out: list[RunSubmission] = []
        for chunk in bulk.chunks(bulk.encode(runs), self.bulk_max_runs, self.bulk_max_bytes):
            out += self._submit_chunk(chunk)
        return out

    def _submit_chunk(self, chunk: list[bulk.Encoded]) -> list[RunSubmission]:
        if self._bulk_supported is False:
            return [self._submit_one(item.run) for item in chunk]
        response = self._request("POST", bulk.BULK_PATH, content=bulk.request_body(chunk), write=True)
        status = response.status_code
        if status in (404, 405):  # an older server, or the original Worker
            self._bulk_supported = False
            return [self._submit_one(item.run) for item in chunk]
        if status in (413, 422):  # larger than this server takes: halve, or let one run hear why alone
            if len(chunk) == 1:
                return [self._submit_one(chunk[0].run)]
            half = len(chunk) // 2
            return self._submit_chunk(chunk[:half]) + self._submit_chunk(chunk[half:])
        self._check(response, f"submitting {len(chunk)} runs")
        self._bulk_supported = True
        try:
            return bulk.results_from_body(response.json(), [item.run for item in chunk])
        except ValueError as exc:  # not JSON, or not one result per run
            raise ServerUnavailableError(f"results server {self.base_url} answered oddly: {exc}") from None

    def _submit_one(self, run: RunRecord) -> RunSubmission:
        """``submit_run`` with its refusals as results (401/403 still raise: they are not the run's)."""
        try:
            outcome = self.submit_run(run)
        except ServerRejectedError as exc:
            if exc.status in (401, 403):
                raise
            return RunSubmission(
                run.run_id, "conflict" if exc.status == 409 else "invalid", exc.status, exc.one_line()
            )
        except NotFoundError as exc:  # no POST /api/results at all: this is not a results server
            return RunSubmission(run.run_id, "invalid", 404, exc.one_line())
        return RunSubmission(run.run_id, outcome, 201 if outcome == "created" else 200)

    def submit_batch(self, batch: BatchRecord) -> None:
        """Create or update the batch (metadata and completion time)."""
        payload = {k: v for k, v in to_wire(batch).items() if v is not None}
        self._check(
            self._request("POST", "/api/results/batch", json=payload, write=True),
            f"submitting batch {batch.batch_id}",
        )

    def submit_control(self, batch_id: str, control: ControlResult) -> None:
        """Store a batch's warmup result for one scenario."""
        payload = {"batchId": batch_id, **to_wire(control)}
        self._check(
            self._request("POST", "/api/results/control", json=payload, write=True),
            f"submitting control {control.suite}/{control.scenario}",
        )

    # -- reads (the ResultStore query shapes) ---------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord:
        body = self._get(f"/api/runs/{_seg(run_id)}", f"run {run_id!r}")
        merged = {**body["run"], "evaluations": body.get("evaluations") or []}
        if body.get("telemetry"):
            merged["telemetry"] = body["telemetry"]
        return from_wire(RunRecord, merged)

    def get_artifact(self, run_id: str, name: str) -> str:
        path = f"/api/runs/{_seg(run_id)}/artifacts/{_seg(name)}"
        return self._check(self._request("GET", path), f"artifact {name!r} of run {run_id!r}").text

    def artifact_names(self, run_id: str) -> list[str]:
        body = self._get(f"/api/runs/{_seg(run_id)}/artifacts", f"run {run_id!r}")
        return list(body["names"])

    def list_runs(
        self,
        filters: RunFilters | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
        sort: RunSort = "-started_at",
    ) -> RunPage:
        params = filter_params(filters)
        params.update({"limit": limit, "sort": sort})
        if cursor:
            params["cursor"] = cursor
        return from_wire(RunPage, self._get("/api/runs", "runs", params))

    def get_batch(self, batch_id: str) -> BatchDetail:
        return from_wire(BatchDetail, self._get(f"/api/batches/{_seg(batch_id)}", f"batch {batch_id!r}"))

    def list_batches(self, *, limit: int = 20, cursor: str | None = None) -> BatchPage:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return from_wire(BatchPage, self._get("/api/batches", "batches", params))

    def stats(self, filters: RunFilters | None = None) -> GlobalStats:
        return from_wire(GlobalStats, self._get("/api/stats", "stats", filter_params(filters)))

    def agent_stats(self) -> list[BreakdownRow]:
        return [from_wire(BreakdownRow, r) for r in self._get("/api/stats/agents", "agent stats")]

    def evaluator_stats(self) -> list[BreakdownRow]:
        return [from_wire(BreakdownRow, r) for r in self._get("/api/stats/evaluators", "evaluator stats")]

    def cost_stats(self) -> list[dict[str, Any]]:
        """Cost per agent/model pair (``/api/stats/costs``), as the server's JSON rows."""
        rows: list[dict[str, Any]] = self._get("/api/stats/costs", "cost stats")
        return rows

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ResultsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def filter_params(filters: RunFilters | None) -> dict[str, Any]:
    """RunFilters as the API's query parameters."""
    if filters is None:
        return {}
    params: dict[str, Any] = {}
    for name, value in filters.model_dump(exclude_none=True, mode="json").items():
        key = "batchId" if name == "batch_id" else name
        params[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return params


def _seg(value: str) -> str:
    """One URL path segment, percent-encoded."""
    from urllib.parse import quote

    return quote(value, safe="")


def _error_text(response: httpx2.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "error" in body:
        details = body.get("details")
        return f"{body['error']}" + (f" ({details})" if isinstance(details, str) else "")
    return str(body)[:200]
