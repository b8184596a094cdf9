"""Choosing a template's prompt for a task type and a model (the original's selectPrompt, deterministic)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from zebench.errors import TemplateError
from zebench.mint.task_detection import DEFAULT_TASK

PROMPT_PARTS = ("spawnerPrompt", "systemPrompt", "contextPrompt")
RESERVED_KEYS = frozenset({"default", "model_specific", "prompt_strategy"})


class SelectedPrompt(BaseModel):
    """The prompt text chosen and where it came from (``prompts.migration.model_specific.claude-sonnet-4.5``)."""

    text: str
    source: str


def _strip_provider(model: str) -> str:
    return model.rsplit("/", 1)[-1].lower()


def match_model(keys: Iterable[str], model: str | None) -> str | None:
    """The key of ``keys`` that names ``model``: exact, then provider-stripped and lowercased, then a
    prefix match either way (``claude-sonnet-4`` ↔ ``claude-sonnet-4.5``), longest key first."""
    if not model:
        return None
    ordered = list(keys)
    if model in ordered:
        return model
    wanted = _strip_provider(model)
    for key in ordered:
        if _strip_provider(key) == wanted:
            return key
    prefixed = [
        k for k in ordered if _strip_provider(k).startswith(wanted) or wanted.startswith(_strip_provider(k))
    ]
    # max() keeps the first of equally long keys, so file order breaks ties.
    return max(prefixed, key=lambda k: len(_strip_provider(k))) if prefixed else None


def combine_parts(config: dict[str, Any]) -> str:
    """spawnerPrompt, systemPrompt and contextPrompt joined by blank lines; other keys are not prompts."""
    return "\n\n".join(
        config[part].strip()
        for part in PROMPT_PARTS
        if isinstance(config.get(part), str) and config[part].strip()
    )


def _candidates(
    prompts: dict[str, Any], task_type: str, model: str | None
) -> list[tuple[dict[str, Any], str]]:
    found: list[tuple[dict[str, Any], str]] = []
    task = prompts.get(task_type)
    if task_type != DEFAULT_TASK and task_type not in RESERVED_KEYS and isinstance(task, dict):
        if "default" not in task and "model_specific" not in task:
            found.append((task, f"prompts.{task_type}"))
        else:
            specific = task.get("model_specific") or {}
            key = match_model(specific, model)
            if key is not None:
                found.append((specific[key], f"prompts.{task_type}.model_specific.{key}"))
            if isinstance(task.get("default"), dict):
                found.append((task["default"], f"prompts.{task_type}.default"))
    specific = prompts.get("model_specific") or {}
    key = match_model(specific, model)
    if key is not None:
        found.append((specific[key], f"prompts.model_specific.{key}"))
    if isinstance(prompts.get("default"), dict):
        found.append((prompts["default"], "prompts.default"))
    return found


def select_prompt(prompts: dict[str, Any], task_type: str, model: str | None) -> SelectedPrompt:
    """The first non-empty prompt of: ``prompts.<task>`` (its model-specific entry, then its default),
    ``prompts.model_specific.<model>``, ``prompts.default``. Raises TemplateError when all are empty."""
    for config, source in _candidates(prompts, task_type, model):
        text = combine_parts(config) if isinstance(config, dict) else ""
        if text:
            return SelectedPrompt(text=text, source=source)
    raise TemplateError(
        "no prompt text for this task and model",
        field="prompts.default",
        hint="add prompts.default.spawnerPrompt (or systemPrompt)",
    )
