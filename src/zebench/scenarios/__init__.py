"""Find suites, load both scenario formats, resolve prompt tiers and scaffold new suites."""

from __future__ import annotations

from zebench.scenarios.commands import DEFAULT_TIMEOUT_S, infer_command_kind
from zebench.scenarios.discovery import (
    BUNDLED_SUITE,
    BUNDLED_SUITES,
    SUITES_DIR_ENV,
    bundled_suites_dir,
    discover_suites,
    load_scenario,
    load_suite,
    resolve_suites_dir,
)
from zebench.scenarios.loader import load_scenario_dir
from zebench.scenarios.model import (
    DependencyTarget,
    EvaluatorSpec,
    HeuristicChecks,
    LLMJudgeConfig,
    Scenario,
    ScenarioFormat,
    Solution,
    Suite,
    Targets,
    ValidationCommand,
    tier_sort_key,
)
from zebench.scenarios.scaffold import scaffold_scenario, scaffold_suite
from zebench.scenarios.tiers import ResolvedPrompt, normalize_tier, resolve_prompt, tier_label
from zebench.scenarios.weights import DEFAULT_WEIGHTS, LEGACY_WEIGHT_NAMES

__all__ = [
    "BUNDLED_SUITE",
    "BUNDLED_SUITES",
    "DEFAULT_TIMEOUT_S",
    "DEFAULT_WEIGHTS",
    "LEGACY_WEIGHT_NAMES",
    "SUITES_DIR_ENV",
    "DependencyTarget",
    "EvaluatorSpec",
    "HeuristicChecks",
    "LLMJudgeConfig",
    "ResolvedPrompt",
    "Scenario",
    "ScenarioFormat",
    "Solution",
    "Suite",
    "Targets",
    "ValidationCommand",
    "bundled_suites_dir",
    "discover_suites",
    "infer_command_kind",
    "load_scenario",
    "load_scenario_dir",
    "load_suite",
    "normalize_tier",
    "resolve_prompt",
    "resolve_suites_dir",
    "scaffold_scenario",
    "scaffold_suite",
    "tier_label",
    "tier_sort_key",
]
