"""The per-user cache of downloaded packages, unpacked fixtures and tool environments.

Everything in it is content-addressed (a pinned version plus its hash, or a hash of the pins) and
published atomically or behind a lock, so concurrent runs, threads and processes share it safely.
``zebench fetch`` fills it; later runs need no network.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

CACHE_ENV = "ZEBENCH_CACHE_DIR"
CACHE_VERSION = "1"  # bump when a layout below changes, so old entries are not reused


def cache_dir() -> Path:
    """``$ZEBENCH_CACHE_DIR``, else the user cache folder (``~/.cache/zebench`` on Linux)."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured).expanduser() if configured else Path(platformdirs.user_cache_dir("zebench"))


def cache_path(*parts: str) -> Path:
    """A folder under the cache, created on first use."""
    path = cache_dir().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` across processes.

    By hand with fcntl, as the outbox does: environments cannot be built elsewhere and renamed into
    place (virtual environments record their own absolute path), so builders must take turns.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
