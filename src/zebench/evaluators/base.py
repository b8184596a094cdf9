"""The evaluator contract and registry.

An evaluator is a small class registered by name; plug-ins join through the entry point group
``zebench.evaluators``. ``evaluate`` returns an :class:`EvaluationResult` whose status is
``skipped`` when the evaluator could not run (no command configured, no oracle) — skipped
evaluators do not count towards the score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from zebench.errors import ScenarioError
from zebench.results.models import CommandResult, DependencyChange, EvaluationResult, FileChange

if TYPE_CHECKING:
    from zebench.agents.base import AgentResult
    from zebench.commands.runner import CommandRunner
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
    extra: dict[str, Any] = field(default_factory=dict)

    def command(self, kind: str) -> CommandResult | None:
        """The last validation command of a kind, or None if none ran."""
        found = [c for c in self.validation if c.kind == kind]
        return found[-1] if found else None


class Evaluator(Protocol):
    name: str

    def evaluate(self, ctx: EvaluationContext) -> EvaluationResult: ...


E = TypeVar("E", bound=type)
_REGISTRY: dict[str, Callable[[], Evaluator]] = {}
_entry_points_loaded = False


def register_evaluator(name: str) -> Callable[[E], E]:
    """Class decorator: make an evaluator available under ``name``."""

    def decorate(cls: E) -> E:
        _REGISTRY[name] = cls
        return cls

    return decorate


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group="zebench.evaluators"):
        if ep.name not in _REGISTRY:
            _REGISTRY[ep.name] = ep.load()


def evaluator_names() -> list[str]:
    """Every evaluator name known: built-ins and plug-ins."""
    import zebench.evaluators.builtin  # noqa: F401  (registers the built-ins)

    _load_entry_points()
    return sorted(_REGISTRY)


def unknown_evaluators(names: list[str]) -> list[str]:
    """The names in ``names`` that no built-in or plug-in evaluator answers to, in order."""
    known = set(evaluator_names())
    return [name for name in names if name not in known]


def get_evaluator(name: str) -> Evaluator:
    """Instantiate the evaluator registered as ``name``."""
    known = evaluator_names()
    if name not in _REGISTRY:
        raise ScenarioError(
            f"unknown evaluator {name!r}",
            field="evaluators",
            hint=f"use one of: {', '.join(known)}",
        )
    return _REGISTRY[name]()
