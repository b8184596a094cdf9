"""Shared CLI plumbing: the console, and which store the commands read and write."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from zebench.store.base import ResultStore

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

WORKER_URL_ENV = "ZE_BENCHMARKS_WORKER_URL"
API_KEY_ENV = "ZE_BENCHMARKS_API_KEY"


def remote_url(db: str | None) -> str | None:
    """The results server to use, unless a database was given explicitly with --db."""
    if db:
        return None
    return os.environ.get(WORKER_URL_ENV) or None


@contextmanager
def open_results(db: str | None) -> Iterator[ResultStore]:
    """Open the store for reading: the results server when configured, else the local database."""
    url = remote_url(db)
    if url:
        from zebench.client import RemoteStore

        store: ResultStore = RemoteStore(url, api_key=os.environ.get(API_KEY_ENV))
    else:
        from zebench.store import open_store

        store = open_store(db)
    try:
        yield store
    finally:
        store.close()
