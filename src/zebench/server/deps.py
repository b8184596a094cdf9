"""Per-app objects handed to routes: the store and the write lock."""

from __future__ import annotations

import threading

from fastapi import Request

from zebench.store.base import ResultStore


def get_store(request: Request) -> ResultStore:
    store: ResultStore = request.app.state.store
    return store


def get_write_lock(request: Request) -> threading.Lock:
    # Makes "look up the stored run, then save" atomic within this process, so two identical
    # submissions racing each other cannot both be treated as new.
    lock: threading.Lock = request.app.state.write_lock
    return lock
