"""Where the runner writes: any store (local database or remote server with an outbox)."""

from __future__ import annotations

from typing import Protocol

from zebench.results.models import BatchRecord, ControlResult, RunRecord


class ResultSink(Protocol):
    """The write half of a ResultStore; the runner needs nothing more."""

    def save_batch(self, batch: BatchRecord) -> None: ...

    def save_run(self, run: RunRecord) -> None: ...

    def save_control(self, batch_id: str, control: ControlResult) -> None: ...


class DiscardSink:
    """Stores nothing: used by ``zebench check``, whose proof runs are not results."""

    def save_batch(self, batch: BatchRecord) -> None:
        return None

    def save_run(self, run: RunRecord) -> None:
        return None

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        return None
