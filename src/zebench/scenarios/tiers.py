"""Prompt tiers: finding a scenario's prompt files and picking the one for a tier."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from zebench.errors import ScenarioError
from zebench.scenarios.model import Scenario

TIER_FILE_RE = re.compile(r"^(L\d+|Lx)(-.*)?\.md$")
_TIER_INPUT_RE = re.compile(r"^[lL](\d+|[xX])$")

TIER_LABELS: dict[str, str] = {
    "L0": "Minimal",
    "L1": "Basic",
    "L2": "Directed",
    "L3": "Migration",
    "Lx": "Adversarial",
}


class ResolvedPrompt(BaseModel):
    """The prompt an agent receives for one tier of a scenario: sent verbatim as the user message."""

    model_config = ConfigDict(extra="forbid")

    tier: str
    path: Path
    text: str


def find_prompt_files(prompt_dir: Path) -> dict[str, list[Path]]:
    """Map each tier to the prompt files for it in ``prompt_dir`` (sorted; normally one per tier)."""
    found: dict[str, list[Path]] = {}
    if not prompt_dir.is_dir():
        return found
    for path in sorted(prompt_dir.iterdir()):
        match = TIER_FILE_RE.match(path.name)
        if match and path.is_file():
            found.setdefault(match.group(1), []).append(path)
    return found


def normalize_tier(tier: str) -> str:
    """``l1`` -> ``L1``, ``LX`` -> ``Lx``; anything else is returned stripped and unchanged."""
    text = tier.strip()
    match = _TIER_INPUT_RE.match(text)
    if not match:
        return text
    suffix = match.group(1)
    return "Lx" if suffix in ("x", "X") else f"L{int(suffix)}"


def tier_label(tier: str) -> str:
    """A human name for a tier, e.g. ``L2 Directed``; unknown tiers are returned as they are."""
    label = TIER_LABELS.get(tier)
    return f"{tier} {label}" if label else tier


def resolve_prompt(scenario: Scenario, tier: str) -> ResolvedPrompt:
    """The prompt file and text for ``tier`` (case-insensitive); a ScenarioError if it is missing,
    ambiguous or empty."""
    name = normalize_tier(tier)
    candidates = scenario.prompt_files.get(name, [])
    where = scenario.prompt_dir or scenario.directory / "prompts"
    if not candidates:
        available = ", ".join(scenario.tiers) or "none"
        raise ScenarioError(
            f"{scenario.key} has no prompt for tier '{tier}' (available tiers: {available})",
            file=where,
            hint=f"add {where / (name + '-<label>.md')} or pick an available tier",
        )
    if len(candidates) > 1:
        names = " and ".join(path.name for path in candidates)
        raise ScenarioError(
            f"tier {name} of {scenario.key} is ambiguous: {names}",
            file=where,
            hint="keep one prompt file per tier",
        )
    path = candidates[0]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the prompt: {exc}", file=path) from None
    if not text.strip():
        raise ScenarioError("the prompt file is empty", file=path, hint="write the task for the agent in it")
    return ResolvedPrompt(tier=name, path=path, text=text)
