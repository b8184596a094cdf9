"""Prompt tier discovery and resolution."""

from __future__ import annotations

import pytest

from zebench.errors import ScenarioError
from zebench.scenarios import load_scenario_dir, normalize_tier, resolve_prompt, tier_label

PROMPTS = {
    "L0-minimal.md": "zero\n",
    "L1.md": "one\n",
    "L10-big.md": "ten\n",
    "L2-directed.md": "two\n",
    "Lx-adversarial.md": "adversarial\n",
    "L3-a.md": "a\n",
    "L3-b.md": "b\n",
    "L4-empty.md": "  \n\n",
    "notes.md": "not a tier",
    "l5-lowercase.md": "files are case-sensitive",
    "L6-draft.txt": "not markdown",
}


@pytest.fixture
def scenario(make_scenario):
    return load_scenario_dir(make_scenario("name: x\n", prompts=PROMPTS), "demo")


def test_tiers_are_found_and_sorted(scenario) -> None:
    assert scenario.tiers == ["L0", "L1", "L2", "L3", "L4", "L10", "Lx"]
    assert [p.name for p in scenario.prompt_files["L3"]] == ["L3-a.md", "L3-b.md"]


@pytest.mark.parametrize(
    ("tier", "expected", "text"),
    [
        ("L0", "L0", "zero\n"),
        ("l1", "L1", "one\n"),
        ("lx", "Lx", "adversarial\n"),
        ("LX", "Lx", "adversarial\n"),
    ],
)
def test_resolve_is_case_insensitive(scenario, tier, expected, text) -> None:
    prompt = resolve_prompt(scenario, tier)
    assert prompt.tier == expected and prompt.text == text
    assert prompt.path.parent == scenario.prompt_dir


def test_unknown_tier_lists_available_tiers(scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        resolve_prompt(scenario, "L7")
    assert "available tiers: L0, L1, L2, L3, L4, L10, Lx" in str(info.value)


def test_ambiguous_tier_names_both_files(scenario) -> None:
    with pytest.raises(ScenarioError, match=r"ambiguous: L3-a\.md and L3-b\.md"):
        resolve_prompt(scenario, "L3")


def test_empty_prompt_is_an_error(scenario) -> None:
    with pytest.raises(ScenarioError, match="empty") as info:
        resolve_prompt(scenario, "l4")
    assert "L4-empty.md" in str(info.value)


def test_scenario_without_prompts_warns_and_has_no_tiers(make_scenario) -> None:
    scenario = load_scenario_dir(make_scenario("name: x\n", prompts={}), "demo")
    assert scenario.tiers == [] and scenario.prompt_dir is None
    assert any("no prompt files" in w for w in scenario.warnings)
    with pytest.raises(ScenarioError, match=r"available tiers: none"):
        resolve_prompt(scenario, "L1")


def test_normalize_and_label() -> None:
    assert normalize_tier(" l01 ") == "L1"
    assert normalize_tier("custom") == "custom"
    assert tier_label("L2") == "L2 Directed"
    assert tier_label("L9") == "L9"
