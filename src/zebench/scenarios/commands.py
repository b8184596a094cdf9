"""Validation commands of both formats, normalised to ``ValidationCommand``."""

from __future__ import annotations

import re
from typing import get_args

from zebench.results.models import CommandKind
from zebench.scenarios.model import ValidationCommand
from zebench.scenarios.raw_models import RawDesignCommand, RawZeValidation

DEFAULT_TIMEOUT_S = 600.0

# The order the original ran its commands in, extended with build and test (which it never ran).
ZE_COMMAND_ORDER: tuple[CommandKind, ...] = ("install", "build", "lint", "typecheck", "test")

# First match wins. install comes first so "pip install -e . && pytest" counts as setup, and typecheck
# before test so "tsc -p tsconfig.test.json" is a typecheck.
_KIND_PATTERNS: tuple[tuple[CommandKind, re.Pattern[str]], ...] = (
    ("install", re.compile(r"\b(npm|pnpm|yarn|pip3?|bun)\s+(install|i|ci)\b|\buv\s+(sync|pip\s+install)\b")),
    ("typecheck", re.compile(r"\b(tsc|mypy|pyright|typecheck|type-check)\b")),
    ("lint", re.compile(r"\b(lint|eslint|ruff|flake8|pylint)\b")),
    ("test", re.compile(r"\b(test|tests|pytest|jest|vitest|unittest)\b|\bgo\s+test\b|\bnode\s+--test\b")),
    ("build", re.compile(r"\bbuild\b")),
)

KNOWN_KINDS: tuple[str, ...] = get_args(CommandKind)


def infer_command_kind(command: str) -> CommandKind:
    """Guess what a shell command is for from its text; ``custom`` when nothing matches."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(command):
            return kind
    return "custom"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


def command_network(kind: CommandKind, declared: bool | None, scenario_network: bool) -> bool:
    """Whether a validation command gets the network: as declared, else install commands do."""
    if declared is not None:
        return declared
    return kind == "install" or scenario_network


def design_commands(entries: list[RawDesignCommand], *, network: bool = False) -> list[ValidationCommand]:
    """``validation_commands`` of the design format, in file order, with unique names."""
    out: list[ValidationCommand] = []
    taken: set[str] = set()
    for entry in entries:
        kind = entry.kind or infer_command_kind(entry.command)
        name = _unique(entry.name or kind, taken)
        taken.add(name)
        timeout = entry.timeout if entry.timeout is not None else DEFAULT_TIMEOUT_S
        out.append(
            ValidationCommand(
                name=name,
                kind=kind,
                command=entry.command,
                timeout_s=timeout,
                network=command_network(kind, entry.network, network),
            )
        )
    return out


def ze_commands(validation: RawZeValidation, *, network: bool = False) -> list[ValidationCommand]:
    """``validation.commands`` of the ze format in install, build, lint, typecheck, test order.

    The original ran ``install`` with the network (it fetches packages); zebench keeps that, and
    every other command gets the scenario's ``network:`` setting.
    """
    if not validation.required:
        return []
    out: list[ValidationCommand] = []
    for kind in ZE_COMMAND_ORDER:
        command = getattr(validation.commands, kind)
        if command and command.strip():
            out.append(
                ValidationCommand(
                    name=kind,
                    kind=kind,
                    command=command,
                    timeout_s=DEFAULT_TIMEOUT_S,
                    network=command_network(kind, None, network),
                )
            )
    return out
