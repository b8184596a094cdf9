"""The evaluator contract and registry.

An evaluator is a small class registered by name. The built-ins are listed by name and module
(:data:`BUILTIN_EVALUATORS`) and imported when first used; plug-ins join through the entry point
group ``zebench.evaluators`` and are loaded the same way. ``evaluate`` returns an
:class:`EvaluationResult` whose status is ``skipped`` when the evaluator could not run (no command
configured, no oracle) — skipped evaluators do not count towards the score.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from zebench.errors import ScenarioError
from zebench.results.models import CommandResult, DependencyChange, EvaluationResult, FileChange

if TYPE_CHECKING:
    from zebench.agents.base import AgentResult
    from zebench.commands.runner import CommandRunner
    from zebench.grading.models import TestResults
    from zebench.scenarios.model import EvaluatorSpec, Scenario


@dataclass
class EvaluationContext:
    """Everything an evaluator may look at. Built once per run, after validation."""

    scenario: Scenario
    spec: EvaluatorSpec
    workspace: Path
    prompt: str
    validation: list[CommandResult]
    diff: str
    changed_files: list[FileChange]
    dependency_changes: list[DependencyChange]
    agent_result: AgentResult
    command_runner: CommandRunner
    baseline_ref: str | None = None  # git commit of the pristine fixture inside the workspace
    agent_tree: str | None = None  # git tree of the agent's work, before hidden tests and validation
    test_results: TestResults | None = None  # per-test results of the test commands, when the run read them
    extra: dict[str, Any] = field(default_factory=dict)

    def command(self, kind: str) -> CommandResult | None:
        """The last validation command of a kind, or None if none ran."""
        found = [c for c in self.validation if c.kind == kind]
        return found[-1] if found else None


class Evaluator(Protocol):
    name: str

    def evaluate(self, ctx: EvaluationContext) -> EvaluationResult: ...


E = TypeVar("E", bound=type)

ENTRY_POINT_GROUP = "zebench.evaluators"

# Built-in name → the module that defines it (its @register_evaluator runs when it is imported).
# Module paths, not classes, so a built-in's dependencies (jsonpath_ng, yaml and json5 for the
# heuristics, the LLM clients for the judge, ...) are imported only when a scenario uses it.
BUILTIN_EVALUATORS: dict[str, str] = {
    "install": "zebench.evaluators.builtin.commands",
    "build": "zebench.evaluators.builtin.commands",
    "lint": "zebench.evaluators.builtin.commands",
    "typecheck": "zebench.evaluators.builtin.commands",
    "test": "zebench.evaluators.builtin.tests",
    "resolved": "zebench.evaluators.builtin.resolved",
    "heuristic_checks": "zebench.evaluators.builtin.heuristics",
    "dependencies": "zebench.evaluators.builtin.dependencies",
    "integrity": "zebench.evaluators.builtin.integrity",
    "llm_judge": "zebench.evaluators.builtin.llm_judge",
}

# Evaluators loaded so far: built-ins whose module was imported, plug-ins loaded by name, and
# anything registered with the decorator.
_REGISTRY: dict[str, Callable[[], Evaluator]] = {}


def register_evaluator(name: str) -> Callable[[E], E]:
    """Class decorator: make an evaluator available under ``name``."""

    def decorate(cls: E) -> E:
        _REGISTRY[name] = cls
        return cls

    return decorate


def _plugins() -> dict[str, EntryPoint]:
    """The installed evaluator plug-ins by name, not loaded (the first of a repeated name wins)."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def evaluator_names() -> list[str]:
    """Every evaluator name known: built-ins and plug-ins, without importing any of them."""
    return sorted(set(_REGISTRY) | set(BUILTIN_EVALUATORS) | set(_plugins()))


def unknown_evaluators(names: list[str]) -> list[str]:
    """The names in ``names`` that no built-in or plug-in evaluator answers to, in order."""
    unknown = [name for name in names if name not in _REGISTRY and name not in BUILTIN_EVALUATORS]
    if unknown:  # only then are the installed distributions scanned for plug-ins
        plugins = _plugins()
        unknown = [name for name in unknown if name not in plugins]
    return unknown


def get_evaluator(name: str) -> Evaluator:
    """Instantiate the evaluator registered as ``name``, importing its module on first use.

    Built-in names win over plug-ins of the same name.
    """
    if name not in _REGISTRY:
        if name in BUILTIN_EVALUATORS:
            importlib.import_module(BUILTIN_EVALUATORS[name])
        elif (plugin := _plugins().get(name)) is not None:
            _REGISTRY[name] = plugin.load()
    factory = _REGISTRY.get(name)
    if factory is None:
        raise ScenarioError(
            f"unknown evaluator {name!r}",
            field="evaluators",
            hint=f"use one of: {', '.join(evaluator_names())}",
        )
    return factory()
