"""Where ``zebench bench`` writes: the local database, or the results server with an outbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from zebench.cli.context import API_KEY_ENV, remote_url
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.runner.sink import ResultSink


class RemoteSink:
    """Submits over HTTP; anything the server does not acknowledge waits in the local outbox."""

    def __init__(self, url: str, api_key: str | None, console: Console) -> None:
        from zebench.client import Outbox, ResultsClient

        self.client = ResultsClient(url, api_key=api_key)
        self.outbox = Outbox()
        self.console = console
        self.queued = 0

    def _deliver(self, item: RunRecord | BatchRecord) -> None:
        from zebench.client import deliver_or_queue

        if deliver_or_queue(self.client, item, self.outbox) == "queued":
            self.queued += 1

    def save_batch(self, batch: BatchRecord) -> None:
        self._deliver(batch)

    def save_run(self, run: RunRecord) -> None:
        self._deliver(run)

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        from zebench.client import ServerUnavailableError

        try:
            self.client.submit_control(batch_id, control)
        except ServerUnavailableError:
            self.outbox.put_control(batch_id, control)
            self.queued += 1

    def sync_first(self) -> None:
        """Deliver what an earlier bench left in the outbox before adding more."""
        from zebench.client import sync

        report = sync(self.client, self.outbox)
        if report.sent:
            self.console.print(
                f"[dim]outbox: delivered {report.sent} queued item(s) to the results server[/dim]"
            )

    def close(self) -> None:
        if self.queued:
            self.console.print(
                f"[yellow]results server unreachable:[/yellow] {self.queued} item(s) wait in the outbox; "
                "run `zebench sync` when it is back"
            )
        self.client.close()


@contextmanager
def open_sink(db: str | None, *, console: Console) -> Iterator[ResultSink]:
    """The local store, or the results server when ZE_BENCHMARKS_WORKER_URL is set (and --db is not)."""
    url = remote_url(db)
    if url:
        sink = RemoteSink(url, os.environ.get(API_KEY_ENV), console)
        sink.sync_first()
        try:
            yield sink
        finally:
            sink.close()
        return
    from zebench.store import open_store

    store = open_store(db)
    try:
        yield store
    finally:
        store.close()
