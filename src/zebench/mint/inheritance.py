"""Template inheritance: ``from`` names a parent that the child deep-merges over.

Merge rules (the original's): objects merge recursively, the child's scalars and ``null`` win,
**arrays replace** (a child listing ``tech_stack`` means exactly that list). Unlike the original, a
missing parent is an error: silently using half a template would benchmark something else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zebench.errors import TemplateError
from zebench.mint.jsonio import read_object

_SCOPED_SUFFIXES = (".jsonc", ".json5", ".json")


def deep_merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A new dict: ``child`` over ``parent``; nested objects merge, everything else (arrays too) replaces."""
    merged: dict[str, Any] = dict(parent)
    for key, value in child.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            merged[key] = deep_merge(base, value)
        else:
            merged[key] = value
    return merged


def parent_candidates(ref: str, child_path: Path, base_dir: Path) -> list[Path]:
    """Where the parent ``ref`` of ``child_path`` may live, in the order they are tried.

    ``@scope/name`` → ``personas/@scope/name.jsonc|json5|json`` under the child's folder, then under
    ``base_dir`` (the original looked only under the working directory). Other refs are paths:
    absolute, or relative to the child's folder.
    """
    if ref.startswith("@"):
        roots = list(dict.fromkeys([child_path.parent, base_dir]))
        return [root / "personas" / f"{ref}{suffix}" for root in roots for suffix in _SCOPED_SUFFIXES]
    target = Path(ref).expanduser()
    if not target.is_absolute():
        target = child_path.parent / target
    if target.suffix:
        return [target]
    return [target, *(target.with_name(target.name + suffix) for suffix in _SCOPED_SUFFIXES)]


def resolve_inheritance(
    path: Path, data: dict[str, Any], *, base_dir: Path, chain: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``data`` (read from ``path``) merged over its ancestors, with ``from`` removed.

    ``chain`` holds the real paths already being resolved, so ``a → b → a`` is reported as a cycle
    instead of recursing forever.
    """
    real = os.path.realpath(path)
    if real in chain:
        cycle = " → ".join([*chain[chain.index(real) :], real])
        raise TemplateError(f"inheritance cycle: {cycle}", file=path, field="from", hint="remove one `from`")
    ref = data.get("from")
    child = {key: value for key, value in data.items() if key != "from"}
    if ref is None:
        return child
    if not isinstance(ref, str) or not ref.strip():
        raise TemplateError("`from` must be a non-empty string", file=path, field="from")
    candidates = parent_candidates(ref, path, base_dir)
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        looked = ", ".join(str(c) for c in candidates)
        raise TemplateError(
            f"parent template {ref!r} not found (looked for: {looked})",
            file=path,
            field="from",
            hint="create the parent template there, or remove `from` and inline its fields",
        )
    parent = read_object(found, what="parent template")
    resolved_parent = resolve_inheritance(found, parent, base_dir=base_dir, chain=(*chain, real))
    return deep_merge(resolved_parent, child)
