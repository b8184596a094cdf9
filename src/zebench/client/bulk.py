"""The client's side of ``POST /api/results:batch``: request chunks and per-run results.

``ResultsClient.submit_runs`` uses these to send many runs in few requests; the outbox's ``sync``
uses the results to remove exactly the delivered entries and set aside the refused ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from zebench.client.wire import to_wire
from zebench.results.models import RunRecord

BULK_PATH = "/api/results:batch"
DEFAULT_MAX_RUNS = 100  # per request; the server takes up to 500
# Per request, well under the server's default 16 MiB body limit; a server with a smaller limit
# answers 413 and the chunk is halved.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024

RunOutcome = Literal["created", "duplicate", "replaced", "conflict", "invalid", "failed"]
_DELIVERED = frozenset({"created", "duplicate", "replaced"})
_REJECTED = frozenset({"conflict", "invalid"})


@dataclass(frozen=True)
class RunSubmission:
    """What the server did with one submitted run.

    ``delivered``: stored (or already stored): forget it. ``rejected``: refused for its content
    (409 another run under this id, 422 invalid, 413 too large): sending it again will not help.
    Otherwise (``failed``) the server could not store it just now: send it again later.
    """

    run_id: str
    outcome: RunOutcome
    status: int
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome in _DELIVERED

    @property
    def rejected(self) -> bool:
        return self.outcome in _REJECTED


@dataclass(frozen=True)
class Encoded:
    """A run and its camelCase JSON, encoded once: to size the chunks and to build their bodies."""

    run: RunRecord
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body)


def encode(runs: Sequence[RunRecord]) -> list[Encoded]:
    """Each run's JSON as ``POST /api/results`` takes it."""
    return [Encoded(run, json.dumps(to_wire(run), ensure_ascii=False).encode("utf-8")) for run in runs]


def request_body(chunk: Sequence[Encoded]) -> bytes:
    """The ``{"runs": [...]}`` body of a chunk, from the runs' encoded JSON."""
    return b'{"runs":[' + b",".join(item.body for item in chunk) + b"]}"


def chunks(items: Sequence[Encoded], max_runs: int, max_bytes: int) -> Iterator[list[Encoded]]:
    """Consecutive chunks of at most ``max_runs`` runs and (unless one run is bigger) ``max_bytes``."""
    chunk: list[Encoded] = []
    size = 0
    for item in items:
        if chunk and (len(chunk) >= max_runs or size + item.size > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item.size + 1  # the comma between items
    if chunk:
        yield chunk


def results_from_body(body: Any, runs: Sequence[RunRecord]) -> list[RunSubmission]:
    """The per-run results of a bulk answer, in the order of ``runs``; ValueError if it does not fit."""
    items = body.get("results") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) != len(runs):
        raise ValueError("the bulk answer does not hold one result per submitted run")
    out = []
    for index, (item, run) in enumerate(zip(items, runs, strict=True)):
        if not isinstance(item, dict) or item.get("index", index) != index:
            raise ValueError(f"bulk result {index} is malformed")
        outcome = item.get("outcome")
        if outcome not in (*_DELIVERED, *_REJECTED, "failed"):
            raise ValueError(f"bulk result {index} has an unknown outcome {outcome!r}")
        status = int(item.get("status") or 0)
        error = None
        if outcome not in _DELIVERED:
            # The same line a refused POST /api/results gives, so outbox reasons read alike.
            details = item.get("details")
            error = f"submitting run {run.run_id}: HTTP {status}: {item.get('error') or outcome}"
            if isinstance(details, str):
                error += f" ({details})"
        out.append(RunSubmission(run.run_id, outcome, status, error))
    return out
