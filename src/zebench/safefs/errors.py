"""Why a path in an agent-written folder was refused."""

from __future__ import annotations

from pathlib import Path

from zebench.errors import WorkspaceError


def printable(name: str) -> str:
    """``name`` with control characters and undecodable bytes escaped, safe for a one-line message."""
    if name.isprintable():
        return name
    return (
        name.encode("utf-8", "surrogateescape")
        .decode("utf-8", "backslashreplace")
        .encode("unicode_escape")
        .decode("ascii")
    )


class UnsafeFileError(WorkspaceError):
    """A path the harness will not read or write: it leaves the folder, or is not a plain file.

    ``rel`` is the path as asked for, relative to the folder; ``why`` says what was found there.
    """

    def __init__(self, root: Path, rel: str, why: str) -> None:
        self.root = root
        self.rel = rel
        self.why = why
        super().__init__(
            f"{why}; not used",
            file=f"{root}/{printable(rel)}",
            hint="the harness only reads plain files inside the workspace",
        )


class FileTooLargeError(UnsafeFileError):
    """A plain file larger than the read's cap."""

    def __init__(self, root: Path, rel: str, size: int, cap: int) -> None:
        self.size = size
        self.cap = cap
        super().__init__(root, rel, f"{size} bytes, over the {cap}-byte cap for this read")
