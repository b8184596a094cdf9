"""Reading JSON5/JSONC files and writing JSON5 output files, with errors a user can act on."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import json5

from zebench.errors import TemplateError


def read_json5(path: Path, *, what: str = "template") -> Any:
    """Parse ``path`` as JSON5 (a superset of JSON and of JSONC's comments and trailing commas).

    Plain JSON is tried first because it is much faster and most files are plain JSON.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateError(f"{what} file not found", file=path, hint="check the path") from exc
    except OSError as exc:
        raise TemplateError(f"cannot read the {what}: {exc.strerror or exc}", file=path) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return copy.deepcopy(_parse_json5(text))  # a copy: callers merge and edit what they get
    except ValueError as exc:
        raise TemplateError(
            f"not valid JSON5/JSONC: {exc}", file=path, hint="fix the syntax at the position shown"
        ) from exc


@functools.lru_cache(maxsize=32)
def _parse_json5(text: str) -> Any:
    """json5 is pure Python (~25 KB/s); a batch of specialist runs reads the same template per run."""
    return json5.loads(text)


def read_object(path: Path, *, what: str = "template") -> dict[str, Any]:
    """Like :func:`read_json5`, but the top level must be an object."""
    data = read_json5(path, what=what)
    if not isinstance(data, dict):
        raise TemplateError(
            f"a {what} must be a JSON object, not {type(data).__name__}", file=path, field="$"
        )
    return data


def dumps_json5(data: Any) -> str:
    """Serialise for a ``.json5`` file. Plain, indented JSON is valid JSON5 and readable by every tool."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def canonical_sha256(data: Any) -> str:
    """A hash of the data that ignores key order and formatting (so comments and whitespace don't count)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
