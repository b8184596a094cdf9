"""One folder holding the allow-listed part of /etc, bound into the sandbox with a single mount.

Binding each allowed /etc entry on its own cost about 35 mounts per sandbox, 2-3 ms of its
~7 ms start, and every mount briefly slows path lookups on the whole host. The view is a copy
made once (per content: a changed /etc makes a new one) under the user cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from zebench.packages.cache import cache_path

# Never copied, even inside allowed folders: private keys readable by a root harness.
_SECRET_PARTS = frozenset({"private"})


def _fingerprint(entries: Iterable[str]) -> str:
    h = hashlib.sha256(b"zebench-etc-view-1\0")
    for entry in entries:
        path = f"/etc/{entry}"
        for root, dirs, files in (
            os.walk(path) if os.path.isdir(path) else [(os.path.dirname(path), [], [entry])]
        ):
            dirs[:] = sorted(d for d in dirs if d not in _SECRET_PARTS)
            for name in sorted(files):
                try:
                    info = os.lstat(os.path.join(root, name))
                except OSError:
                    continue
                h.update(f"{root}/{name}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return h.hexdigest()[:20]


def _copy(entry: str, into: Path) -> None:
    source = Path("/etc") / entry
    target = into / entry
    if source.is_dir():
        # Links inside (certificates, alternatives) point into /usr, which the sandbox shows too.
        shutil.copytree(source, target, symlinks=True, ignore=lambda _d, names: _SECRET_PARTS & set(names))
    else:
        shutil.copy2(source, target)  # follows a top-level link (resolv.conf into /run): its content


@functools.cache
def etc_view(entries: tuple[str, ...]) -> str | None:
    """The folder to bind at /etc holding ``entries``; None when it cannot be made (bind each then)."""
    present = tuple(e for e in entries if os.path.exists(f"/etc/{e}"))  # a dangling link is skipped
    try:
        root = cache_path("sandbox")
        final = root / f"etc-{_fingerprint(present)}"
        if final.is_dir():
            return str(final)
        staging = Path(tempfile.mkdtemp(prefix="etc-", dir=root))
        try:
            for entry in present:
                _copy(entry, staging)
            staging.chmod(0o755)
            staging.rename(final)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not final.is_dir():  # not a lost race: give up on the view
                return None
        return str(final)
    except OSError:
        return None
