"""The file tools' behaviour: read, write, edit and list, confined to the workspace.

They run in the harness, on the host, while the agent's own processes may still be changing the
workspace (a background job swapping a file for a symlink or a FIFO). So every read and write goes
through :mod:`zebench.safefs`: descriptor-relative, ``O_NOFOLLOW``, never blocking on a FIFO.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from zebench.safefs import UnsafeFileError, list_folder, open_file, path_kind, write_bytes
from zebench.tools.paths import resolve_in_workspace
from zebench.workspace.copy import EXCLUDED_DIRS

MAX_READ_BYTES = 256 * 1024
MAX_EDIT_BYTES = 8 * 1024 * 1024
MAX_LIST_ENTRIES = 1000
_SNIFF_BYTES = 8192


class ToolError(Exception):
    """A tool call failed in a way the model should be told about; the message is the tool result."""


def _open_existing(workspace: Path, path: str) -> BinaryIO:
    resolve_in_workspace(workspace, path)  # the agent-facing errors: absolute, ~, .git, outside
    kind = path_kind(workspace, path)
    if kind == "dir":
        raise ToolError(f"{path} is a folder; use list_directory to see its contents")
    if kind is None:
        raise ToolError(f"{path} does not exist")
    try:
        return open_file(workspace, path)
    except UnsafeFileError as exc:
        raise ToolError(f"{path} cannot be read: {exc.why}") from exc
    except FileNotFoundError as exc:
        raise ToolError(f"{path} does not exist") from exc


def _check_text(path: str, head: bytes) -> None:
    if b"\0" in head[:_SNIFF_BYTES]:
        raise ToolError(f"{path} is a binary file and cannot be read as text")


def _decode(path: str, data: bytes, *, cut: bool = False) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if cut and exc.start >= len(data) - 3:
            # The byte cap cut a multi-byte character in half; drop the fragment.
            return data[: exc.start].decode("utf-8")
        raise ToolError(f"{path} is not UTF-8 text (binary or another encoding)") from exc


def read_file(workspace: Path, path: str, offset: int | None = None, limit: int | None = None) -> str:
    """The file's text, or lines ``offset``..``offset+limit-1``, cut at :data:`MAX_READ_BYTES`."""
    with _open_existing(workspace, path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if offset is None and limit is None:
            data = handle.read(MAX_READ_BYTES)
            _check_text(path, data)
            text = _decode(path, data, cut=size > MAX_READ_BYTES)
            if size > MAX_READ_BYTES:
                lines = text.count("\n")
                text += (
                    f"\n[truncated: showing the first {len(data)} of {size} bytes (about {lines} lines); "
                    "use offset and limit to read further]"
                )
            return text
        _check_text(path, handle.read(_SNIFF_BYTES))
        handle.seek(0)
        first = offset or 1
        picked: list[bytes] = []
        used = 0
        number = 0
        cut = False
        for number, raw in enumerate(handle, start=1):
            if number < first:
                continue
            if limit is not None and len(picked) >= limit:
                number -= 1
                break
            if used + len(raw) > MAX_READ_BYTES:
                cut = True
                number -= 1
                break
            picked.append(raw)
            used += len(raw)
        text = _decode(path, b"".join(picked))
        if not picked:
            return f"[{path} has {number} lines; nothing at line {first}]"
        last = first + len(picked) - 1
        note = f"\n[lines {first}-{last} of {path}"
        note += "; cut at 256 KB, read the rest with a larger offset]" if cut else "]"
        return text + note


def write_file(workspace: Path, path: str, content: str) -> str:
    """Write ``content`` (UTF-8, newlines kept as given), creating parent folders."""
    resolve_in_workspace(workspace, path, for_write=True)
    if path_kind(workspace, path) == "dir":
        raise ToolError(f"{path} is a folder")
    data = content.encode("utf-8")
    _write(workspace, path, data)
    return f"wrote {len(data)} bytes to {path}"


def _write(workspace: Path, path: str, data: bytes) -> None:
    try:
        write_bytes(workspace, path, data)
    except UnsafeFileError as exc:
        # A FIFO or device would block or misbehave; only regular files are written.
        raise ToolError(f"{path} cannot be written: {exc.why}") from exc


def edit_file(workspace: Path, path: str, old_string: str, new_string: str, replace_all: bool = False) -> str:
    """Replace ``old_string`` by ``new_string``: exactly one occurrence, or all with ``replace_all``."""
    if old_string == "":
        raise ToolError("old_string is empty; use write_file to create or replace a whole file")
    if old_string == new_string:
        raise ToolError("old_string and new_string are identical; nothing to change")
    with _open_existing(workspace, path) as handle:
        data = handle.read(MAX_EDIT_BYTES + 1)
    if len(data) > MAX_EDIT_BYTES:
        raise ToolError(f"{path} is larger than {MAX_EDIT_BYTES} bytes; edit it with run_command")
    _check_text(path, data)
    text = _decode(path, data)
    count = text.count(old_string)
    if count == 0:
        raise ToolError(f"old_string was not found in {path}; read the file and copy the text exactly")
    if count > 1 and not replace_all:
        raise ToolError(
            f"old_string occurs {count} times in {path}; add surrounding lines to make it unique "
            "or set replace_all to true"
        )
    _write(workspace, path, text.replace(old_string, new_string).encode("utf-8"))
    return f"replaced {count} occurrence{'s' if count != 1 else ''} in {path}"


def list_directory(workspace: Path, path: str = ".", recursive: bool = False) -> str:
    """Sorted entries of a folder relative to it; folders end with '/'; .git hidden; capped."""
    resolve_in_workspace(workspace, path)
    kind = path_kind(workspace, path)
    if kind is None:
        raise ToolError(f"{path} does not exist")
    if kind != "dir":
        raise ToolError(f"{path} is a file, not a folder")
    entries: list[str] = []
    overflow = False
    pending = [""]
    while pending and not overflow:
        prefix = pending.pop()
        try:
            children = list_folder(workspace, f"{path}/{prefix}" if prefix else path)
        except (UnsafeFileError, OSError):
            continue  # changed while listed, or a link out of the workspace: not listed
        for name, is_folder in children:
            if name == ".git":
                continue
            if is_folder:
                entries.append(f"{prefix}{name}/")
                if recursive and name not in EXCLUDED_DIRS:
                    pending.append(f"{prefix}{name}/")
            else:
                entries.append(f"{prefix}{name}")
            if len(entries) > MAX_LIST_ENTRIES:
                overflow = True
                break
    entries.sort()
    if overflow:
        entries = entries[:MAX_LIST_ENTRIES]
        entries.append(f"[truncated at {MAX_LIST_ENTRIES} entries; list a subfolder to see more]")
    if not entries:
        return f"[{path} is empty]"
    return "\n".join(entries)
