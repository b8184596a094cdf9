"""Bulk ingest, ``POST /api/results:batch``: many runs in one store transaction, an outcome per run.

Each item is validated on its own and answered exactly as ``POST /api/results`` would answer it
at its position in the request: the same content again is a duplicate, other content under a
final run's id a conflict, a ``running`` run may be replaced, and a run id repeated within the
request sees the earlier item as stored. Only the last accepted version of each run is written,
all of them with one ``save_runs`` (one transaction, one rollup update for the lot).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError

from zebench.errors import StoreError
from zebench.results.models import RunRecord
from zebench.server.errors import validation_details, validation_message
from zebench.server.ingest import Fingerprint, decide, payload_digest, run_from_payload, stamp
from zebench.server.schemas import BulkItemResult, BulkOutcome, BulkSubmitResponse, SubmitRunPayload
from zebench.store.base import ResultStore

STATUS: dict[BulkOutcome, Literal[200, 201, 409, 422, 503]] = {
    "created": 201,
    "duplicate": 200,
    "replaced": 200,
    "conflict": 409,
    "invalid": 422,
    "failed": 503,
}
_CONFLICT = "Run already exists with different content"


@dataclass
class _Item:
    """A valid item: its record and content hash."""

    index: int
    run: RunRecord
    digest: str


@dataclass
class _Write:
    """The version of one run to write, and every item whose outcome depends on that write."""

    item: _Item
    indexes: list[int] = field(default_factory=list)


def _result(
    index: int, run_id: str | None, outcome: BulkOutcome, error: str | None = None, details: Any = None
) -> BulkItemResult:
    return BulkItemResult(
        index=index, run_id=run_id, status=STATUS[outcome], outcome=outcome, error=error, details=details
    )


def _prepare(index: int, raw: Any) -> _Item | BulkItemResult:
    """Validate one item and hash it (outside the write lock: this is the costly part)."""
    try:
        payload = SubmitRunPayload.model_validate(raw)
    except ValidationError as exc:
        details = validation_details(exc.errors())
        run_id = raw.get("runId") if isinstance(raw, dict) else None
        return _result(
            index,
            run_id if isinstance(run_id, str) else None,
            "invalid",
            validation_message(details),
            details,
        )
    run = run_from_payload(payload)
    return _Item(index, run, payload_digest(run))


def ingest_runs(store: ResultStore, items: list[Any], lock: threading.Lock) -> BulkSubmitResponse:
    """Validate, classify and store ``items``; one result per item, in order."""
    results: dict[int, BulkItemResult] = {}
    valid: list[_Item] = []
    for index, raw in enumerate(items):
        prepared = _prepare(index, raw)
        if isinstance(prepared, _Item):
            valid.append(prepared)
        else:
            results[index] = prepared
    with lock:  # as for one run: "look up, then save" must not interleave with another write
        known: dict[str, Fingerprint] = (
            store.get_run_fingerprints([i.run.run_id for i in valid]) if valid else {}
        )
        writes: dict[str, _Write] = {}
        for item in valid:
            run_id = item.run.run_id
            outcome = decide(store, item.run, item.digest, known.get(run_id))
            if outcome == "conflict":
                details = f"run {run_id} is stored with a final status; submit it under a new runId"
                results[item.index] = _result(item.index, run_id, "conflict", _CONFLICT, details)
                continue
            results[item.index] = _result(item.index, run_id, outcome)
            if outcome in ("created", "replaced"):
                # A later version of a run in the same request supersedes the earlier one.
                pending = writes.setdefault(run_id, _Write(item))
                pending.item = item
                known[run_id] = (item.run.status.value, item.digest)
            if run_id in writes:
                writes[run_id].indexes.append(item.index)
        for write, reason in _save(store, list(writes.values())):
            for index in write.indexes:
                results[index] = _result(
                    index, write.item.run.run_id, "failed", "Results store refused this run", reason
                )
    ordered = [results[i] for i in range(len(items))]
    counts = {outcome: 0 for outcome in STATUS}
    for r in ordered:
        counts[r.outcome] += 1
    return BulkSubmitResponse(results=ordered, **counts)


def _save(store: ResultStore, writes: list[_Write]) -> list[tuple[_Write, str]]:
    """Store every write in one transaction; the writes that failed, with why.

    When the database refuses the data itself (an integrity or data error) the writes are retried
    one by one, so one unstorable run fails alone; any other store error (the database is down or
    locked) fails the whole request with 503, and the client sends it again.
    """
    if not writes:
        return []
    records = [stamp(w.item.run, w.item.digest) for w in writes]
    try:
        store.save_runs(records)
        return []
    except StoreError as exc:
        if not _refused_data(exc):
            raise
        if len(writes) == 1:
            return [(writes[0], exc.one_line())]
    failed = []
    for write, record in zip(writes, records, strict=True):
        try:
            store.save_run(record)
        except StoreError as exc:
            if not _refused_data(exc):
                raise
            failed.append((write, exc.one_line()))
    return failed


def _refused_data(exc: StoreError) -> bool:
    return isinstance(exc.__cause__, DataError | IntegrityError)
