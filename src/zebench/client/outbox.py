"""A durable local queue of results the server could not take yet, and the sync that empties it.

The outbox is a folder of JSON files, one per record, each written atomically (temporary file,
fsync, rename), so a crash leaves either a whole entry or none. Names start with a nanosecond
timestamp, so sorting them gives the oldest first. An entry is deleted only after the server
acknowledged it (201, or 200 duplicate); if a sync dies between the server storing a run and the
deletion, the next sync resends it and the server's idempotency by ``runId`` answers "duplicate".
Two syncs never interleave: each holds an exclusive ``flock`` on ``.lock`` in the folder.

Queued runs travel in chunks through the bulk endpoint (one request per ~100 runs instead of one
each), whose answer says per run what happened; batches and controls go one by one, in order.

Only a refusal of one record (409 another run under its id, 422 invalid) moves that record to
``rejected/``. A refusal of the whole request leaves every entry where it is: a refused key (401,
403) stops the sync with KeyRejectedError, and the next sync with the right key sends them all.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zebench.client.http import (
    KeyRejectedError,
    ResultsClient,
    ServerRejectedError,
    ServerUnavailableError,
)
from zebench.errors import StoreError
from zebench.results.models import BatchRecord, ControlResult, RunRecord

DEFAULT_OUTBOX = Path("results") / "outbox"
EntryKind = Literal["run", "batch", "control"]
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class OutboxEntry:
    """One queued record."""

    path: Path
    kind: EntryKind
    record: RunRecord | BatchRecord | ControlResult
    batch_id: str | None = None  # for controls

    @property
    def key(self) -> str:
        if isinstance(self.record, RunRecord):
            return self.record.run_id
        if isinstance(self.record, BatchRecord):
            return self.record.batch_id
        return f"{self.batch_id}/{self.record.suite}/{self.record.scenario}"


@dataclass
class SyncReport:
    """What a sync did: entries acknowledged, entries that failed, entries still queued."""

    sent: int = 0
    failed: int = 0
    remaining: int = 0
    errors: list[str] = field(default_factory=list)


class Outbox:
    """A folder of queued runs, batches and controls (default ``results/outbox``)."""

    def __init__(self, path: str | Path = DEFAULT_OUTBOX) -> None:
        self.path = Path(path)
        self.rejected_path = self.path / "rejected"

    # -- writing --------------------------------------------------------------------------------

    def put(self, record: RunRecord | BatchRecord, *, batch_id: str | None = None) -> Path:
        """Queue a run or batch (atomically). A queued older version of the same run is dropped,
        because the newer one supersedes it (e.g. ``running`` then ``completed``)."""
        if isinstance(record, RunRecord):
            self.discard_run(record.run_id)
            return self._write("run", record.run_id, {"record": record.model_dump(mode="json")})
        return self._write("batch", record.batch_id, {"record": record.model_dump(mode="json")})

    def put_control(self, batch_id: str, control: ControlResult) -> Path:
        """Queue a warmup result for a batch."""
        body = {"batchId": batch_id, "record": control.model_dump(mode="json")}
        return self._write("control", f"{batch_id}-{control.scenario}", body)

    def _write(self, kind: EntryKind, key: str, body: dict[str, Any]) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}-{kind}-{_SAFE.sub('_', key)[:80]}.json"
        final = self.path / name
        tmp = self.path / f".tmp-{name}"
        data = json.dumps({"kind": kind, **body}, ensure_ascii=False).encode("utf-8")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(self.path)
        return final

    def discard_run(self, run_id: str) -> int:
        """Remove queued versions of a run (it was delivered or superseded); returns how many."""
        removed = 0
        for entry in self.entries():
            if entry.kind == "run" and entry.key == run_id:
                with contextlib.suppress(FileNotFoundError):
                    entry.path.unlink()
                    removed += 1
        return removed

    # -- reading --------------------------------------------------------------------------------

    def _files(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(
            p for p in self.path.iterdir() if p.is_file() and p.suffix == ".json" and p.name[0] != "."
        )

    def __len__(self) -> int:
        return len(self._files())

    def entries(self) -> list[OutboxEntry]:
        """Queued entries, oldest first. An unreadable file is moved to ``rejected/``."""
        out: list[OutboxEntry] = []
        for path in self._files():
            try:
                out.append(_load(path))
            except FileNotFoundError:
                continue  # taken by a concurrent sync
            except (ValueError, KeyError, TypeError):
                self.reject(path, "unreadable outbox entry")
        return out

    def remove(self, entry: OutboxEntry) -> None:
        """Delete an acknowledged entry."""
        self.remove_many([entry])

    def remove_many(self, entries: list[OutboxEntry]) -> None:
        """Delete acknowledged entries, making the deletions durable with one directory fsync."""
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                entry.path.unlink()
        _fsync_dir(self.path)

    def reject(self, path: Path, reason: str) -> None:
        """Move an entry the server will never accept out of the queue, keeping it for a human."""
        self.rejected_path.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, self.rejected_path / path.name)
            (self.rejected_path / f"{path.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the outbox's exclusive lock (blocks while another sync holds it)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _load(path: Path) -> OutboxEntry:
    body = json.loads(path.read_text(encoding="utf-8"))
    kind = body["kind"]
    if kind == "run":
        return OutboxEntry(path, "run", RunRecord.model_validate(body["record"]))
    if kind == "batch":
        return OutboxEntry(path, "batch", BatchRecord.model_validate(body["record"]))
    if kind == "control":
        return OutboxEntry(
            path, "control", ControlResult.model_validate(body["record"]), str(body["batchId"])
        )
    raise ValueError(f"unknown outbox entry kind {kind!r}")


def _fsync_dir(path: Path) -> None:
    # Makes the rename or unlink itself durable; not every platform can open a directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _send(client: ResultsClient, entry: OutboxEntry) -> None:
    record = entry.record
    if isinstance(record, RunRecord):
        client.submit_run(record)
    elif isinstance(record, BatchRecord):
        client.submit_batch(record)
    else:
        client.submit_control(entry.batch_id or "", record)


@dataclass(frozen=True)
class Delivery:
    """What became of one record handed to :func:`deliver_or_queue`.

    ``sent``: the server has it. ``queued``: it waits in the outbox, because the server could not
    be reached or (``key_refused``) refused the key; ``zebench sync`` delivers it later.
    ``rejected``: the server refused the record itself; it is kept in ``rejected/`` with why.
    """

    outcome: Literal["sent", "queued", "key_refused", "rejected"]
    reason: str | None = None


def deliver_or_queue(
    client: ResultsClient, record: RunRecord | BatchRecord, outbox: Outbox | None = None
) -> Delivery:
    """Send a run (or batch) now, or keep it in the outbox.

    A refused key is no verdict on the record, so it is queued like an unreachable server's; a
    refusal of the record itself (409, 422) sets it aside in ``rejected/``, as ``sync`` would.
    """
    outbox = Outbox() if outbox is None else outbox
    try:
        if isinstance(record, RunRecord):
            client.submit_run(record)
            outbox.discard_run(record.run_id)  # any queued older version is now stale
        else:
            client.submit_batch(record)
    except ServerUnavailableError as exc:
        outbox.put(record)
        return Delivery("queued", exc.one_line())
    except KeyRejectedError as exc:
        outbox.put(record)
        return Delivery("key_refused", exc.one_line())
    except ServerRejectedError as exc:
        outbox.reject(outbox.put(record), exc.one_line())
        return Delivery("rejected", exc.one_line())
    return Delivery("sent")


def sync(client: ResultsClient, outbox: Outbox | None = None) -> SyncReport:
    """Deliver every queued entry, oldest first, removing each only once the server acknowledged it.

    Runs go in chunks of ``client.bulk_max_runs`` through the bulk endpoint (one by one on servers
    without it); batches and controls one by one, after the runs queued before them. Stops at the
    first "server unavailable" or refused request (the rest stays queued); an entry the server
    rejects for its content is moved to ``rejected/`` with the reason and the sync goes on; a run
    the server could not store just now stays queued for the next sync. Raises KeyRejectedError
    when the server refuses the key, leaving every undelivered entry as it was.
    """
    outbox = Outbox() if outbox is None else outbox
    report = SyncReport()
    with outbox.locked():
        runs: list[OutboxEntry] = []
        going = True
        for entry in outbox.entries():
            if entry.kind == "run":
                runs.append(entry)
                if len(runs) >= client.bulk_max_runs:
                    going, runs = _deliver_runs(client, outbox, runs, report), []
            else:
                going, runs = _deliver_runs(client, outbox, runs, report), []
                going = going and _deliver_one(client, outbox, entry, report)
            if not going:
                break
        if going:
            _deliver_runs(client, outbox, runs, report)
        report.remaining = len(outbox)
    return report


def _deliver_runs(
    client: ResultsClient, outbox: Outbox, entries: list[OutboxEntry], report: SyncReport
) -> bool:
    """Send queued runs in one bulk submission; False once the server is unavailable."""
    # Gone files: a newer version of the run was queued meanwhile (it supersedes this one).
    entries = [e for e in entries if isinstance(e.record, RunRecord) and e.path.exists()]
    runs = [e.record for e in entries if isinstance(e.record, RunRecord)]
    if not runs:
        return True
    try:
        results = client.submit_runs(runs)
    except KeyRejectedError:
        raise
    except (ServerUnavailableError, ServerRejectedError) as exc:
        # Unreachable, or the request refused as a whole: no verdict on any run, so all stay queued.
        report.failed += len(entries)
        report.errors.append(exc.one_line())
        return False
    delivered = []
    for entry, result in zip(entries, results, strict=True):
        if result.delivered:
            delivered.append(entry)
            continue
        report.failed += 1
        report.errors.append(result.error or result.outcome)
        if result.rejected:
            outbox.reject(entry.path, result.error or result.outcome)
    outbox.remove_many(delivered)
    report.sent += len(delivered)
    return True


def _deliver_one(client: ResultsClient, outbox: Outbox, entry: OutboxEntry, report: SyncReport) -> bool:
    """Send a queued batch or control; False once the server is unavailable."""
    if not entry.path.exists():
        return True
    try:
        _send(client, entry)
    except KeyRejectedError:
        raise
    except ServerUnavailableError as exc:
        report.failed += 1
        report.errors.append(exc.one_line())
        return False
    except StoreError as exc:  # refused (4xx), or NotFoundError from an unexpected 404
        report.failed += 1
        report.errors.append(exc.one_line())
        outbox.reject(entry.path, exc.one_line())
        return True
    outbox.remove(entry)
    report.sent += 1
    return True
