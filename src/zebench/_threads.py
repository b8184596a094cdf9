"""Process-wide single background threads, one per purpose, created on first use.

Process-wide on purpose: what they do (starting sandboxes, deleting workspaces) is a property of
the process, and one thread per purpose keeps that work queued instead of competing with runs.
concurrent.futures joins them when the interpreter exits, so no queued work is abandoned.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

_THREADS: dict[str, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def background_thread(name: str) -> ThreadPoolExecutor:
    """The one long-lived thread called ``zebench-<name>`` (an executor of one worker)."""
    with _LOCK:
        executor = _THREADS.get(name)
        if executor is None:
            executor = _THREADS[name] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix=f"zebench-{name}"
            )
        return executor
