"""Host-side access to folders an agent could write: read, walk, copy into and delete them safely.

After the agent's phase a workspace is hostile input. Everything the harness does to it on the host
goes through this package, which never follows a symlink out of the folder, never opens a FIFO,
socket or device (so nothing hangs), never reads a hard-linked file or crosses into another file
system (a bind mount), and caps every read. Paths are resolved one component at a time against open
folder descriptors (``openat`` with ``O_NOFOLLOW``), so a symlink swapped in between a check and the
use cannot redirect the harness either.
"""

from zebench.safefs.errors import FileTooLargeError, UnsafeFileError
from zebench.safefs.read import DEFAULT_READ_CAP, read_bytes, read_text, regular_file_size
from zebench.safefs.remove import remove_tree
from zebench.safefs.walk import WalkEntry, WalkLimits, WalkReport, walk_files
from zebench.safefs.write import copy_into

__all__ = [
    "DEFAULT_READ_CAP",
    "FileTooLargeError",
    "UnsafeFileError",
    "WalkEntry",
    "WalkLimits",
    "WalkReport",
    "copy_into",
    "read_bytes",
    "read_text",
    "regular_file_size",
    "remove_tree",
    "walk_files",
]
