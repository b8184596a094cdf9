"""Resume and retry: what a stored batch still needs, and its first-attempt vs final figures.

Every run carries its slot key (scenario × tier × agent × model × iteration) in its metadata, so
attempts of one slot can be grouped. A slot is rerun, as a new attempt, when it has no run yet,
when its last attempt was interrupted, or was left 'running' by a process that is gone (kill -9),
and, with ``--retry-errors``, when its last attempt was an infrastructure error. Agent failures
stay failures: retrying them would flatter the agent.

A run marked interrupted here had its process killed, so nothing removed its workspace: resuming
removes it, when the folder its record names is one of the workspace root's own (a stored path
is data, so nothing outside the root is ever deleted).
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from zebench.results.models import RunRecord, RunStatus, utcnow
from zebench.runner.plan import Slot
from zebench.store.queries import BatchDetail, RunFilters, RunPage
from zebench.workspace import harness_folder, remove_tree


class BatchReader(Protocol):
    """The read half of a store that resuming needs (SqlStore fits), plus save_run for stale runs."""

    def get_batch(self, batch_id: str) -> BatchDetail: ...

    def get_run(self, run_id: str) -> RunRecord: ...

    def list_runs(
        self, filters: RunFilters | None = None, *, limit: int = 50, cursor: str | None = None
    ) -> RunPage: ...

    def save_run(self, run: RunRecord) -> None: ...


@dataclass
class Attempt:
    """One stored run of a slot."""

    run_id: str
    attempt: int
    status: RunStatus
    is_successful: bool
    host: str | None = None
    pid: int | None = None


@dataclass
class BatchState:
    """A stored batch: its metadata (the plan) and its runs grouped by slot key, oldest attempt first."""

    batch_id: str
    metadata: dict[str, Any]
    slots: dict[str, list[Attempt]] = field(default_factory=dict)
    completed: bool = False

    def last(self, key: str) -> Attempt | None:
        attempts = self.slots.get(key)
        return attempts[-1] if attempts else None

    def next_attempt(self, key: str) -> int:
        attempts = self.slots.get(key)
        return max(a.attempt for a in attempts) + 1 if attempts else 1


def pid_alive(host: str | None, pid: int | None) -> bool:
    """Whether the process that stored a 'running' run may still be running it.

    Only a process on this host can be checked; one elsewhere (a dead Dask worker, another
    machine) counts as gone, because resuming means the batch that ran it has stopped.
    """
    if pid is None or host != socket.gethostname():
        return False
    if pid == os.getpid():
        return False  # this very process is resuming; it is not running that run
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_batch(store: BatchReader, batch_id: str) -> BatchState:
    """Read a batch and its runs; NotFoundError when there is no such batch."""
    detail = store.get_batch(batch_id)
    state = BatchState(
        batch_id=batch_id,
        metadata=dict(detail.summary.metadata),
        completed=detail.summary.completed_at is not None,
    )
    cursor: str | None = None
    while True:
        page = store.list_runs(RunFilters(batch_id=batch_id), limit=200, cursor=cursor)
        for summary in page.items:
            # The summary has no metadata; the full run (without artifacts) has the slot key.
            run = store.get_run(summary.run_id)
            key = str(
                run.metadata.get("slot")
                or f"{run.suite}/{run.scenario}|{run.tier}|{run.agent}|{run.model or '-'}|?"
            )
            state.slots.setdefault(key, []).append(
                Attempt(
                    run_id=run.run_id,
                    attempt=run.attempt,
                    status=RunStatus(run.status),
                    is_successful=run.is_successful,
                    host=run.metadata.get("host"),
                    pid=run.metadata.get("pid"),
                )
            )
        cursor = page.next_cursor
        if not cursor:
            break
    for attempts in state.slots.values():
        attempts.sort(key=lambda a: a.attempt)
    return state


def owned_workspace(stored: str | None, root: Path) -> Path | None:
    """The folder a run's record names, if it is a workspace folder of ``root``; else None.

    Only a real folder directly inside the root qualifies (``reserve_workspace`` makes each run's
    folder there): never the root itself, a path through ``..``, a symlink, or anything elsewhere.
    """
    if not stored:
        return None
    path = Path(stored)
    if not path.is_absolute() or path.name in ("", ".", ".."):
        return None
    root = root.expanduser().absolute()
    try:
        if path.parent.resolve(strict=True) != root.resolve(strict=True):
            return None
    except (OSError, RuntimeError):  # the root or the parent is gone, or a symlink loop
        return None
    candidate = root.resolve() / path.name
    return candidate if candidate.is_dir() and not candidate.is_symlink() else None


def mark_stale_runs(
    store: BatchReader,
    state: BatchState,
    *,
    alive: Callable[[str | None, int | None], bool] = pid_alive,
    workspace_root: Path | None = None,
) -> list[str]:
    """Store 'running' runs whose process is gone as interrupted; returns their run ids.

    With ``workspace_root``, each such run's workspace folder is removed too when it lies in the
    root (see ``owned_workspace``); nothing else would ever remove it.
    """
    marked: list[str] = []
    for attempts in state.slots.values():
        for attempt in attempts:
            if attempt.status != RunStatus.RUNNING or alive(attempt.host, attempt.pid):
                continue
            record = store.get_run(attempt.run_id)
            record.status = RunStatus.INTERRUPTED
            record.reason = "interrupted: the process running it stopped (killed?) before it finished"
            record.completed_at = utcnow()
            store.save_run(record)
            attempt.status = RunStatus.INTERRUPTED
            marked.append(attempt.run_id)
            folder = (
                owned_workspace(record.telemetry.workspace_dir, workspace_root) if workspace_root else None
            )
            if folder is not None:
                for leftover in (folder, harness_folder(folder)):  # and the harness's repository for it
                    with suppress(OSError):  # a folder left behind is disk space, not a reason to stop
                        remove_tree(leftover)
    return marked


def slots_to_run(state: BatchState, slots: list[Slot], *, retry_errors: bool) -> list[tuple[Slot, int]]:
    """The plan's slots that need a (new) attempt, each with its attempt number."""
    rerun = {RunStatus.INTERRUPTED}
    if retry_errors:
        rerun.add(RunStatus.INFRA_ERROR)
    todo: list[tuple[Slot, int]] = []
    for slot in slots:
        last = state.last(slot.key)
        if last is None or last.status in rerun:
            todo.append((slot, state.next_attempt(slot.key)))
    return todo


def _figures(attempts: list[Attempt]) -> dict[str, Any]:
    counts = Counter(str(a.status) for a in attempts)
    successes = sum(1 for a in attempts if a.is_successful)
    return {
        "runs": len(attempts),
        "successes": successes,
        "success_rate": round(successes / len(attempts), 4) if attempts else None,
        "status_counts": dict(sorted(counts.items())),
    }


def batch_figures(state: BatchState) -> dict[str, Any]:
    """Success and status counts over each slot's first attempt and over its final attempt."""
    firsts = [a[0] for a in state.slots.values() if a]
    finals = [a[-1] for a in state.slots.values() if a]
    return {
        "slots": len(state.slots),
        "attempts": sum(len(a) for a in state.slots.values()),
        "first_attempt": _figures(firsts),
        "final": _figures(finals),
    }


def figures_from_records(batch_id: str, records: list[RunRecord]) -> dict[str, Any]:
    """The same figures for a fresh batch, from its records in memory (no store round trip)."""
    state = BatchState(batch_id=batch_id, metadata={})
    for run in sorted(records, key=lambda r: r.attempt):
        key = str(run.metadata.get("slot") or run.run_id)
        state.slots.setdefault(key, []).append(
            Attempt(
                run_id=run.run_id,
                attempt=run.attempt,
                status=RunStatus(run.status),
                is_successful=run.is_successful,
            )
        )
    return batch_figures(state)
