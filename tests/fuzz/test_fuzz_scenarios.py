"""Property tests of scenario parsing and tier resolution: bad input is a ScenarioError, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zebench.errors import ScenarioError
from zebench.scenarios import load_scenario_dir
from zebench.scenarios.model import Scenario, tier_sort_key
from zebench.scenarios.tiers import find_prompt_files, normalize_tier, resolve_prompt

BUDGET = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["L1", "../..", "/etc/passwd", "nonexistent", "solution", "test", "custom", "0.5", "-1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
DESIGN_KEYS = [
    "id", "name", "title", "description", "evaluators", "validation_commands", "tags", "timeout_minutes",
    "success_threshold", "targets", "constraints", "heuristic_checks", "llm_judge", "rubric_overrides",
    "oracle", "solution", "hidden_tests", "env", "network", "workspace",
]  # fmt: skip
ZE_KEYS = [
    "id", "suite", "title", "workspace", "validation", "oracle", "baseline", "reference_path", "artifact",
    "hints", "success_criteria", "difficulty", "estimated_time", "rubric_overrides", "solution",
]  # fmt: skip
known_mappings = st.dictionaries(st.sampled_from(DESIGN_KEYS + ZE_KEYS), values, max_size=8)
plausible = st.fixed_dictionaries(
    {"title": st.text(max_size=10)},
    optional={
        "evaluators": st.lists(
            st.one_of(
                st.text(max_size=15),
                st.fixed_dictionaries({"name": st.text(max_size=15)}, optional={"weight": values}),
            ),
            max_size=3,
        ),
        "validation_commands": st.lists(st.one_of(st.text(max_size=10), values), max_size=3),
        "success_threshold": values,
        "solution": st.sampled_from(["solution", "../escape", "/abs", "missing"]),
        "hidden_tests": st.sampled_from(["hidden", "../", "missing"]),
        "env": values,
        "network": values,
        "workspace": values,
    },
)
documents = st.one_of(
    st.text(max_size=200),  # not necessarily YAML at all
    known_mappings.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    plausible.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    values.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
)
CASES: dict[str, int] = {"loaded": 0, "rejected": 0}


def _load(text: str, *, prompts: bool, fixture: bool) -> Scenario | None:
    with tempfile.TemporaryDirectory(prefix="zebench-fuzz-") as tmp:
        directory = Path(tmp) / "suite" / "scenarios" / "fuzzed"
        directory.mkdir(parents=True)
        (directory / "scenario.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        if prompts:
            (directory / "prompts").mkdir()
            (directory / "prompts" / "L1-basic.md").write_text("Do it.\n")
        if fixture:
            (directory / "repo-fixture").mkdir()
            (directory / "solution").mkdir()
        try:
            scenario = load_scenario_dir(directory, "suite")
        except ScenarioError:
            CASES["rejected"] += 1
            return None
        CASES["loaded"] += 1
        assert scenario.id == "fuzzed" and scenario.suite == "suite"
        assert 0.0 <= scenario.success_threshold <= 1.0
        for tier in scenario.tiers:
            assert resolve_prompt(scenario, tier).text
        return scenario


@BUDGET
@given(documents, st.booleans(), st.booleans())
def test_scenario_yaml_loads_or_raises_scenario_error(text: str, prompts: bool, fixture: bool) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode()
    _load(text, prompts=prompts, fixture=fixture)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_tier_names_normalise_idempotently(raw: str) -> None:
    tier = normalize_tier(raw)
    assert normalize_tier(tier) == tier
    if tier.startswith("L") and tier[1:].isdigit():
        assert tier_sort_key(tier)[0] == 0


tier_files = st.lists(
    st.one_of(
        st.sampled_from(["L0", "L1", "l2", "L02", "Lx", "LX", "L10", "L1-extra", "README", "L"]),
        st.text(alphabet="Llx0123456789-_ab", min_size=1, max_size=6),
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(tier_files, st.text(alphabet="Llx0123456789 -_", max_size=5))
def test_tier_resolution_picks_the_asked_tier_or_raises(files: list[str], asked: str) -> None:
    with tempfile.TemporaryDirectory(prefix="zebench-tiers-") as tmp:
        prompts = Path(tmp) / "prompts"
        prompts.mkdir()
        for name in files:
            (prompts / f"{name}.md").write_text(f"prompt {name}\n")
        scenario = Scenario(
            id="t",
            suite="s",
            title="t",
            format="design",
            directory=Path(tmp),
            config_file=Path(tmp) / "scenario.yaml",
            prompt_dir=prompts,
            prompt_files=find_prompt_files(prompts),
        )
        assert scenario.tiers == sorted(scenario.tiers, key=tier_sort_key)
        try:
            resolved = resolve_prompt(scenario, asked)
        except ScenarioError:
            return
        assert resolved.tier == normalize_tier(asked)
        assert resolved.path in scenario.prompt_files[resolved.tier]
        assert resolved.text.startswith("prompt ")


def test_fuzz_case_counts_are_reported(capsys: Any) -> None:
    """Not a property: prints what the generated documents did, for the report."""
    print(f"scenario fuzz cases so far: {CASES}")
