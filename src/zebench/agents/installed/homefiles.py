"""Reading what an agent wrote in its private HOME: hostile input, through ``zebench.safefs``.

Bounded reads that never follow a link out, never open a FIFO or device and never read a hard link
(see :mod:`zebench.safefs`). An agent's files are optional evidence: a missing, unsafe or oversized
one reads as None, and the run goes on.
"""

from __future__ import annotations

from pathlib import Path

from zebench.safefs import FileTooLargeError, UnsafeFileError, read_text


def read_optional(root: Path, rel: str, *, max_bytes: int) -> str | None:
    """The text of ``root/rel``, or None when it is missing, unsafe or over ``max_bytes``."""
    try:
        return read_text(root, rel, max_bytes=max_bytes)
    except (FileNotFoundError, NotADirectoryError, UnsafeFileError, FileTooLargeError):
        return None
