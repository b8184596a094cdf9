"""A bounded background load the saturation benchmark adds itself, so its figures do not depend on
whatever else the machine happens to run.

``cpu``: 2 × cores busy loops. ``cpu+disk``: half busy loops, half writers that rewrite a 64 MiB
file in 1 MiB blocks with an ``fsync`` after every 8 MiB, on the filesystem of the work folder
(where both harnesses keep their per-run folders). Every load process stops by itself after
``limit_s``, or when the process that started it is gone, and is killed when the ``with`` block
ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KINDS = ("cpu", "cpu+disk")

# Each load process also stops when the benchmark that started it is gone (its parent changes):
# a benchmark killed by a signal never reaches the ``finally`` that kills them.
_BUSY = """
import os, sys, time
end, parent = time.monotonic() + float(sys.argv[1]), os.getppid()
while time.monotonic() < end and os.getppid() == parent:
    sum(range(10_000))
"""

_WRITER = """
import os, sys, time
end, parent = time.monotonic() + float(sys.argv[1]), os.getppid()
path, block = sys.argv[2], os.urandom(1 << 20)
with open(path, "wb") as out:
    while time.monotonic() < end and os.getppid() == parent:
        out.seek(0)
        for i in range(64):
            out.write(block)
            if i % 8 == 7:
                out.flush()
                os.fsync(out.fileno())
"""


def workers() -> int:
    """How many load processes either kind starts: 2 × the cores."""
    return 2 * (os.cpu_count() or 1)


@contextmanager
def background_load(kind: str, root: Path, limit_s: float = 1800.0) -> Iterator[int]:
    """Run ``kind`` load (see the module doc) for the ``with`` block; yields the process count."""
    if kind not in KINDS:
        raise ValueError(f"load kind must be one of {KINDS}")
    total = workers()
    writers = total // 2 if kind == "cpu+disk" else 0
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i in range(total):
            if i < writers:
                argv = [sys.executable, "-c", _WRITER, str(limit_s), str(root / f"load-{i}.bin")]
            else:
                argv = [sys.executable, "-c", _BUSY, str(limit_s)]
            procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield total
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait()
        for i in range(writers):
            (root / f"load-{i}.bin").unlink(missing_ok=True)
