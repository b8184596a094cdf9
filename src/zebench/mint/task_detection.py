"""Which kind of task a prompt asks for (project_setup, migration, bug_fix, ...), by regex, deterministically."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_TASK = "default"

DEFAULT_PRIORITY: tuple[str, ...] = (
    "project_setup",
    "component_generation",
    "migration",
    "bug_fix",
    "refactoring",
    "testing",
    "documentation",
)

# The original's patterns (agency-prompt-creator/src/task-detection.ts), all case-insensitive.
DEFAULT_PATTERNS: dict[str, tuple[str, ...]] = {
    "project_setup": (
        r"\b(setup|scaffold|initialize|create).*(project|app|application|workspace)\b",
        r"\bnew\s+(project|app|application|workspace)\b",
        r"\bbootstrap\b",
        r"\binitialize.*project\b",
        r"\bset\s*up.*from\s*scratch\b",
    ),
    "component_generation": (
        r"\b(create|generate|add|build).*(component|button|form|modal|card|navbar|header|footer)\b",
        r"\bnew\s+(ui|component|button|form|modal)\b",
        r"\bgenerate.*component\b",
    ),
    "migration": (
        r"\bmigrate\b",
        r"\bupgrade\s+(to|from)\b",
        r"\b(move|switch|transition)\s+(to|from)\b",
        r"\bconvert.*to\b",
        r"\bporting\b",
    ),
    "bug_fix": (
        r"\b(fix|resolve|debug|repair)\b",
        r"\b(bug|issue|error|problem)\b",
        r"\bnot\s+working\b",
        r"\bbroken\b",
    ),
    "refactoring": (
        r"\brefactor\b",
        r"\brestructure\b",
        r"\bclean\s*up\b",
        r"\bimprove.*code\b",
        r"\breorganize\b",
        r"\boptimize\b",
    ),
    "testing": (
        r"\b(add|write|create)\s+(test|tests|unit\s*test)\b",
        r"\btest\s+(coverage|suite)\b",
        r"\bautomated\s+testing\b",
    ),
    "documentation": (
        r"\b(add|write|create|update)\s+(docs|documentation|readme)\b",
        r"\bdocument\b",
        r"\bcomment\b",
    ),
}

_SLASHED = re.compile(r"^/(?P<body>.+)/(?P<flags>[a-z]*)$", re.DOTALL)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A template pattern as a regex: ``/re/flags`` is a regex; anything else is a glob where ``*`` is ``.*``.

    Matching is always case-insensitive (the original's rule). Raises ``re.error`` for a bad regex.
    """
    match = _SLASHED.match(pattern)
    if match:
        flags = re.IGNORECASE
        if "m" in match.group("flags"):
            flags |= re.MULTILINE
        if "s" in match.group("flags"):
            flags |= re.DOTALL
        return re.compile(match.group("body"), flags)
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.IGNORECASE)


def task_rules(task_detection: Mapping[str, Any] | None) -> list[tuple[str, list[re.Pattern[str]]]]:
    """``(task, patterns)`` in priority order: the template's ``task_detection`` or the defaults.

    A template's ``patterns`` replace the defaults; its ``priority`` orders them, and tasks it does
    not list follow in the order the patterns were written.
    """
    if task_detection and task_detection.get("patterns"):
        raw: Mapping[str, Sequence[str]] = task_detection["patterns"]
        listed = [t for t in task_detection.get("priority") or [] if t in raw]
        order = [*dict.fromkeys(listed), *(t for t in raw if t not in listed)]
        return [(task, [compile_pattern(p) for p in raw[task]]) for task in order]
    priority = (task_detection or {}).get("priority") or DEFAULT_PRIORITY
    order = [*dict.fromkeys(t for t in priority if t in DEFAULT_PATTERNS)]
    order += [t for t in DEFAULT_PRIORITY if t not in order]
    return [(task, [re.compile(p, re.IGNORECASE) for p in DEFAULT_PATTERNS[task]]) for task in order]


def detect_task(prompt: str, task_detection: Mapping[str, Any] | None = None) -> str:
    """The first task (in priority order) with a pattern found in ``prompt``, else ``default``."""
    text = prompt.strip()
    for task, patterns in task_rules(task_detection):
        if any(p.search(text) for p in patterns):
            return task
    return DEFAULT_TASK
