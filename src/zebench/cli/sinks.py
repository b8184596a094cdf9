"""Where ``zebench bench`` writes: the local database, or the results server with an outbox."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

from zebench.cli.context import API_KEY_ENV, remote_url
from zebench.errors import StoreError
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.runner.sink import ResultSink

if TYPE_CHECKING:
    from zebench.client import KeyRejectedError, Outbox


def key_refused(exc: KeyRejectedError, outbox: Outbox) -> StoreError:
    """The one line for a sync the server refused the key for: what it said, and that nothing is lost."""
    return StoreError(
        f"{exc.message}; {len(outbox)} item(s) stay queued in {outbox.path}",
        hint=f"set {API_KEY_ENV} to the server's write key and run `zebench sync` again",
    )


class RemoteSink:
    """Submits over HTTP; anything the server does not acknowledge waits in the local outbox.

    Once the server has refused the key, later records go straight to the outbox: every request
    would be refused the same way, and ``zebench sync`` with the right key delivers them all.
    """

    def __init__(self, url: str, api_key: str | None, console: Console) -> None:
        from zebench.client import Outbox, ResultsClient

        self.client = ResultsClient(url, api_key=api_key)
        self.outbox = Outbox()
        self.console = console
        self.queued = 0
        self.rejected = 0
        self.key_refused: str | None = None  # the server's refusal, once it refused the key

    def _deliver(self, item: RunRecord | BatchRecord) -> None:
        from zebench.client import deliver_or_queue

        if self.key_refused is not None:
            self.outbox.put(item)
            self.queued += 1
            return
        delivery = deliver_or_queue(self.client, item, self.outbox)
        if delivery.outcome == "key_refused":
            self.key_refused = delivery.reason
        if delivery.outcome in ("queued", "key_refused"):
            self.queued += 1
        elif delivery.outcome == "rejected":
            self.rejected += 1

    def save_batch(self, batch: BatchRecord) -> None:
        self._deliver(batch)

    def save_run(self, run: RunRecord) -> None:
        self._deliver(run)

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        from zebench.client import KeyRejectedError, ServerRejectedError, ServerUnavailableError

        if self.key_refused is None:
            try:
                self.client.submit_control(batch_id, control)
                return
            except KeyRejectedError as exc:
                self.key_refused = exc.one_line()
            except ServerUnavailableError:
                pass
            except ServerRejectedError as exc:
                self.outbox.reject(self.outbox.put_control(batch_id, control), exc.one_line())
                self.rejected += 1
                return
        self.outbox.put_control(batch_id, control)
        self.queued += 1

    def sync_first(self) -> None:
        """Deliver what an earlier bench left in the outbox before adding more.

        A refused key stops the bench here, before any work, with the queue untouched.
        """
        from zebench.client import KeyRejectedError, sync

        try:
            report = sync(self.client, self.outbox)
        except KeyRejectedError as exc:
            raise key_refused(exc, self.outbox) from None
        if report.sent:
            self.console.print(
                f"[dim]outbox: delivered {report.sent} queued item(s) to the results server[/dim]"
            )

    def close(self) -> None:
        if self.key_refused is not None:
            self.console.print(
                f"[red]key refused:[/red] {self.key_refused}; {self.queued} item(s) wait in "
                f"{self.outbox.path}: run `zebench sync` once the key is fixed"
            )
        elif self.queued:
            self.console.print(
                f"[yellow]results server unreachable:[/yellow] {self.queued} item(s) wait in the outbox; "
                "run `zebench sync` when it is back"
            )
        if self.rejected:
            self.console.print(
                f"[yellow]the results server refused {self.rejected} item(s):[/yellow] kept with the "
                f"reasons in {self.outbox.rejected_path}"
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
