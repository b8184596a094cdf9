"""``RemoteStore``: the ResultStore protocol over the results API, so the CLI's list and detail
commands read from a server exactly as from a local database."""

from __future__ import annotations

from zebench.client.http import ResultsClient
from zebench.results.models import BatchRecord, ControlResult, RunRecord


class RemoteStore(ResultsClient):
    """A :class:`~zebench.store.base.ResultStore` backed by a results server.

    Writes go through the idempotent submit endpoints; a run stored under the same id with other
    content raises ServerRejectedError (409) instead of being replaced, unless it was ``running``.
    """

    def save_batch(self, batch: BatchRecord) -> None:
        self.submit_batch(batch)

    def save_run(self, run: RunRecord) -> None:
        self.submit_run(run)

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        self.submit_control(batch_id, control)
