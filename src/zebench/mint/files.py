"""Numbered output files (``snapshot-001.json5``, ``enriched-002.json5``) written atomically, never overwritten."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_MAX_ATTEMPTS = 1000


def numbered_files(directory: Path, prefix: str, suffix: str = ".json5") -> list[tuple[int, Path]]:
    """``(number, path)`` of ``<prefix>NNN<suffix>`` files in ``directory``, ascending by number."""
    if not directory.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+){re.escape(suffix)}$")
    found: list[tuple[int, Path]] = []
    for entry in directory.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def next_number(directory: Path, prefix: str, suffix: str = ".json5") -> int:
    """One more than the highest existing number, starting at 1."""
    existing = numbered_files(directory, prefix, suffix)
    return existing[-1][0] + 1 if existing else 1


def write_numbered(
    directory: Path, prefix: str, content: str | Callable[[int], str], suffix: str = ".json5"
) -> tuple[Path, int]:
    """Write ``content`` to the next free ``<prefix>NNN<suffix>`` in ``directory``; returns ``(path, number)``.

    ``content`` may be a function of the number, for files that record their own id. Each attempt
    writes a temporary file and hard-links it to the final name: ``os.link`` fails when the name
    exists, so a concurrent writer that took the number makes us try the next one instead of
    overwriting, and readers never see a half-written file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    number = next_number(directory, prefix, suffix)
    for _ in range(_MAX_ATTEMPTS):
        text = content(number) if callable(content) else content
        target = directory / f"{prefix}{number:03d}{suffix}"
        fd, tmp_name = tempfile.mkstemp(prefix=f".{prefix}", suffix=".tmp", dir=directory)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            _link_exclusive(tmp, target, text)
            return target, number
        except FileExistsError:
            number += 1
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    raise FileExistsError(f"no free {prefix}NNN{suffix} name in {directory}")


def _link_exclusive(tmp: Path, target: Path, text: str) -> None:
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        # Filesystems without hard links: O_EXCL still guarantees we never overwrite.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
