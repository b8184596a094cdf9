"""A small, deterministic mustache renderer with the original template engine's value rules.

Why not a library: the original joins arrays with ", " and prints objects as JSON for ``{{var}}``,
which standard mustache does not, and a prompt must render identically on every machine.

Supported: ``{{var}}``, ``{{a.b}}``, ``{{a[0]}}``, ``{{{var}}}`` / ``{{& var}}`` (same: nothing is
HTML-escaped), sections ``{{#key}}…{{/key}}`` (lists repeat with ``{{.}}`` and item fields, objects
push their fields, falsy or empty values drop the section), inverted ``{{^key}}…{{/key}}``, and
comments ``{{! …}}``. Missing values render as "". Single braces (``{name}``) are left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TAG = re.compile(r"\{\{\{\s*(?P<raw>[^}]+?)\s*\}\}\}|\{\{\s*(?P<kind>[#^/!&]?)\s*(?P<name>[^}]*?)\s*\}\}")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


class MustacheError(ValueError):
    """Unbalanced sections in a template string."""


@dataclass
class _Section:
    name: str
    inverted: bool
    children: list[Any] = field(default_factory=list)  # str | ("var", name) | _Section


def _parse(text: str) -> list[Any]:
    root = _Section("", False)
    stack = [root]
    pos = 0
    for match in _TAG.finditer(text):
        if match.start() > pos:
            stack[-1].children.append(text[pos : match.start()])
        pos = match.end()
        if match.group("raw") is not None:
            stack[-1].children.append(("var", match.group("raw")))
            continue
        kind, name = match.group("kind"), match.group("name")
        if kind == "!":
            continue
        if kind in ("#", "^"):
            section = _Section(name, kind == "^")
            stack[-1].children.append(section)
            stack.append(section)
        elif kind == "/":
            if len(stack) == 1 or stack[-1].name != name:
                open_name = stack[-1].name if len(stack) > 1 else None
                expected = f"{{{{/{open_name}}}}}" if open_name else "no closing tag"
                raise MustacheError(f"unexpected {{{{/{name}}}}} (expected {expected})")
            stack.pop()
        else:
            stack[-1].children.append(("var", name))
    if len(stack) > 1:
        raise MustacheError(f"unclosed section {{{{#{stack[-1].name}}}}}")
    if pos < len(text):
        root.children.append(text[pos:])
    return root.children


def _lookup(name: str, stack: list[Any]) -> Any:
    if name == ".":
        return stack[-1]
    parts: list[str | int] = [
        m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PART.finditer(name)
    ]
    if not parts:
        return _MISSING
    head, rest = parts[0], parts[1:]
    value: Any = _MISSING
    for scope in reversed(stack):
        if isinstance(scope, dict) and head in scope:
            value = scope[head]
            break
    for part in rest:
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        in_dict = isinstance(part, str) and isinstance(value, dict) and part in value
        if in_list or in_dict:
            value = value[part]
        else:
            return _MISSING
    return value


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def _render(nodes: list[Any], stack: list[Any]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, tuple):
            out.append(_text(_lookup(node[1], stack)))
        else:
            value = _lookup(node.name, stack)
            truthy = value is not _MISSING and bool(value)
            if node.inverted:
                if not truthy:
                    out.append(_render(node.children, stack))
            elif isinstance(value, list):
                out.extend(_render(node.children, [*stack, item]) for item in value)
            elif truthy:
                pushed = [*stack, value] if isinstance(value, dict) else stack
                out.append(_render(node.children, pushed))
    return "".join(out)


def render(template: str, context: dict[str, Any]) -> str:
    """Render ``template`` with ``context``; raises MustacheError for unbalanced sections."""
    return _render(_parse(template), [context])
