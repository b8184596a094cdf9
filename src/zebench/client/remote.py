"""``RemoteStore``: the ResultStore protocol over the results API, so the CLI's list and detail
commands, the dashboard and the mint read from a server exactly as from a local database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from zebench.client.http import ResultsClient, ServerRejectedError, ServerUnavailableError, filter_params
from zebench.client.wire import from_wire
from zebench.errors import NotFoundError
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.store.ids import MAX_CANDIDATES, id_query, resolved_id
from zebench.store.queries import BatchDetail, BreakdownRow, IdKind, IdMatches, RunFilters, ScenarioLevel


class RemoteStore(ResultsClient):
    """A :class:`~zebench.store.base.ResultStore` backed by a results server.

    Writes go through the idempotent submit endpoints; a run stored under the same id with other
    content raises ServerRejectedError (409) instead of being replaced, unless it was ``running``.
    """

    def save_batch(self, batch: BatchRecord) -> None:
        self.submit_batch(batch)

    def save_run(self, run: RunRecord) -> None:
        self.submit_run(run)

    def save_runs(self, runs: Sequence[RunRecord]) -> None:
        """Submit ``runs`` through the bulk endpoint (one request, one transaction per chunk).

        Unlike repeated ``save_run`` a refused run does not stop the others: every run is
        submitted, then ServerRejectedError names the refused ones (the first one's status), or
        ServerUnavailableError those the server could not store just now.
        """
        results = self.submit_runs(runs)
        refused = [r for r in results if r.rejected]
        if refused:
            raise ServerRejectedError(
                f"{len(refused)} of {len(results)} runs refused: {refused[0].error}", status=refused[0].status
            )
        failed = [r for r in results if not r.delivered]
        if failed:
            raise ServerUnavailableError(
                f"{len(failed)} of {len(results)} runs not stored: {failed[0].error}"
            )

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        self.submit_control(batch_id, control)

    def get_run_fingerprint(self, run_id: str) -> tuple[str, str | None] | None:
        """(status, None) of the stored run, or None: the server keeps its payload hash to itself
        (and does the duplicate check on submit), so the hash is always unknown here."""
        try:
            run = self.get_run(run_id)
        except NotFoundError:
            return None
        return run.status.value, None

    def get_run_fingerprints(self, run_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """``get_run_fingerprint`` of each run (one request per run: the API has no bulk read)."""
        found = {run_id: self.get_run_fingerprint(run_id) for run_id in dict.fromkeys(run_ids)}
        return {run_id: fp for run_id, fp in found.items() if fp is not None}

    def get_batch(self, batch_id: str, *, with_evaluations: bool = False) -> BatchDetail:
        """``GET /api/batches/{id}`` (``?withEvaluations=true`` to fill each run's evaluations)."""
        params: dict[str, Any] = {"withEvaluations": "true"} if with_evaluations else {}
        body = self._get(f"/api/batches/{_seg(batch_id)}", f"batch {batch_id!r}", params or None)
        # failedRuns names runs by id (their bodies are in runs): rebuild the full summaries.
        by_id = {run["runId"]: run for run in body.get("runs", [])}
        body["failedRuns"] = [by_id.get(f["runId"], f) for f in body.get("failedRuns", [])]
        return from_wire(BatchDetail, body)

    def match_ids(self, kind: IdKind, query: str, *, limit: int = MAX_CANDIDATES) -> IdMatches:
        """``GET /api/ids``. A server without that endpoint answers as if ``query`` were exact,
        so a full id still works against it (and an unknown one fails as not found later)."""
        params = {"kind": kind, "q": query, "limit": limit}
        try:
            body = self._get("/api/ids", f"{kind} {query!r}", params)
        except NotFoundError:  # an older server: no lookup endpoint
            return IdMatches(kind=kind, query=query, exact=True, ids=[query])
        return from_wire(IdMatches, body)

    def resolve_id(self, kind: IdKind, text: str) -> str:
        """The stored id ``text`` stands for (see ``zebench.store.ids.resolved_id``)."""
        return resolved_id(self.match_ids(kind, id_query(kind, text)))

    def get_controls(self, batch_id: str) -> list[ControlResult]:
        """``GET /api/batches/{id}/controls``; from the batch detail on a server without it."""
        try:
            body = self._get(f"/api/batches/{_seg(batch_id)}/controls", f"controls of batch {batch_id!r}")
        except NotFoundError:
            try:
                return self.get_batch(batch_id).controls
            except NotFoundError:
                return []
        return [from_wire(ControlResult, item) for item in body]

    def batch_fingerprint(self, batch_id: str) -> str:
        """``GET /api/batches/{id}/fingerprint``; raises NotFoundError for an unknown batch."""
        body = self._get(f"/api/batches/{_seg(batch_id)}/fingerprint", f"batch {batch_id!r}")
        return str(body["fingerprint"])

    def scenario_stats(
        self, filters: RunFilters | None = None, *, per: ScenarioLevel = "scenario"
    ) -> list[BreakdownRow]:
        """``GET /api/stats/scenarios`` with the filters as query parameters."""
        params = {**filter_params(filters), "per": per}
        rows = self._get("/api/stats/scenarios", "scenario stats", params)
        return [from_wire(BreakdownRow, r) for r in rows]


def _seg(value: str) -> str:
    """One URL path segment, percent-encoded."""
    return quote(value, safe="")
