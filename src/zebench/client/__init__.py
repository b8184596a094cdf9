"""Talk to a zebench results server: an HTTP client, a ResultStore over HTTP and a local outbox.

``ResultsClient`` submits and reads results (``ZE_BENCHMARKS_WORKER_URL``, ``ZE_BENCHMARKS_API_KEY``),
many runs at once through the bulk endpoint (``submit_runs`` → ``RunSubmission`` per run);
``RemoteStore`` is the same client shaped as a ResultStore; ``Outbox``, ``deliver_or_queue`` and
``sync`` keep results that could not be delivered and send them later, exactly once.
"""

from zebench.client.bulk import RunSubmission
from zebench.client.http import (
    API_KEY_ENV,
    URL_ENV,
    KeyRejectedError,
    ResultsClient,
    ServerRejectedError,
    ServerUnavailableError,
    SubmitOutcome,
)
from zebench.client.outbox import Delivery, Outbox, OutboxEntry, SyncReport, deliver_or_queue, sync
from zebench.client.remote import RemoteStore

__all__ = [
    "API_KEY_ENV",
    "URL_ENV",
    "Delivery",
    "KeyRejectedError",
    "Outbox",
    "OutboxEntry",
    "RemoteStore",
    "ResultsClient",
    "RunSubmission",
    "ServerRejectedError",
    "ServerUnavailableError",
    "SubmitOutcome",
    "SyncReport",
    "deliver_or_queue",
    "sync",
]
