"""Which evaluators score a scenario, and with what weight."""

from __future__ import annotations

from typing import Any

from zebench.scenarios.model import (
    EvaluatorSpec,
    HeuristicChecks,
    LLMJudgeConfig,
    Targets,
    ValidationCommand,
)
from zebench.scenarios.raw_models import RawEvaluator

DEFAULT_WEIGHTS: dict[str, float] = {
    "install": 1.0,
    "build": 1.5,
    "lint": 1.0,
    "typecheck": 1.0,
    "test": 3.0,
    "heuristic_checks": 2.0,
    "dependencies": 2.0,
    "integrity": 1.0,
    "llm_judge": 2.0,
}

# ze-benchmarks metric names in rubric_overrides.weights -> the zebench evaluator that plays that role.
LEGACY_WEIGHT_NAMES: dict[str, str] = {
    "install_success": "install",
    "tests_nonregression": "test",
    "dependency_targets": "dependencies",
    "integrity_guard": "integrity",
}

# Evaluators that gate success unless the scenario says otherwise: a run that tampers with tests fails.
REQUIRED_BY_DEFAULT = frozenset({"integrity"})

_VALIDATION_EVALUATORS = ("install", "build", "lint", "typecheck", "test")


def default_weight(name: str) -> float:
    """The weight an evaluator gets when the scenario does not give one."""
    return DEFAULT_WEIGHTS.get(name, 1.0)


def explicit_evaluators(entries: list[RawEvaluator]) -> list[EvaluatorSpec]:
    """The design format's ``evaluators:`` list, exactly as given, with default weights filled in."""
    specs: list[EvaluatorSpec] = []
    for entry in entries:
        config: dict[str, Any] = dict(entry.model_extra or {})
        nested = config.pop("config", None)
        if isinstance(nested, dict):
            config = {**nested, **config}
        elif nested is not None:
            config["config"] = nested
        specs.append(
            EvaluatorSpec(
                name=entry.name,
                weight=entry.weight if entry.weight is not None else default_weight(entry.name),
                required=entry.required if entry.required is not None else entry.name in REQUIRED_BY_DEFAULT,
                config=config,
            )
        )
    return specs


def derive_evaluators(
    validation: list[ValidationCommand],
    heuristic_checks: HeuristicChecks | None,
    targets: Targets,
    llm_judge: LLMJudgeConfig | None,
    *,
    ze_format: bool = False,
) -> list[EvaluatorSpec]:
    """The evaluators a scenario gets when it does not list any: one per thing it configures.

    Required targets make ``dependencies`` required: a run that misses a target the scenario calls
    required cannot succeed. In the ze-benchmarks format it also checks every workspace package,
    as the original's dependency-targets evaluator did.
    """
    kinds = {command.kind for command in validation}
    names: list[str] = [kind for kind in _VALIDATION_EVALUATORS if kind in kinds]
    if heuristic_checks is not None and heuristic_checks.enabled and heuristic_checks.count > 0:
        names.append("heuristic_checks")
    if targets.required:
        names.append("dependencies")
    names.append("integrity")
    if llm_judge is not None and llm_judge.enabled:
        names.append("llm_judge")
    required = REQUIRED_BY_DEFAULT | ({"dependencies"} if targets.required else set())
    configs: dict[str, dict[str, Any]] = {"dependencies": {"every_package": True}} if ze_format else {}
    return [
        EvaluatorSpec(
            name=name, weight=default_weight(name), required=name in required, config=configs.get(name, {})
        )
        for name in names
    ]


def apply_weight_overrides(
    specs: list[EvaluatorSpec], overrides: dict[str, float]
) -> tuple[list[EvaluatorSpec], list[str]]:
    """Apply ``rubric_overrides.weights`` (legacy names mapped), then drop zero-weight evaluators.

    Returns the evaluators and warnings for override keys that no evaluator produces.
    """
    warnings: list[str] = []
    by_name = {spec.name: spec for spec in specs}
    updated: dict[str, float] = {}
    for key, weight in overrides.items():
        name = LEGACY_WEIGHT_NAMES.get(key, key)
        if name not in by_name:
            warnings.append(f"rubric_overrides.weights.{key}: no evaluator produces '{name}'; ignored")
            continue
        updated[name] = weight
    result = [
        spec.model_copy(update={"weight": updated[spec.name]}) if spec.name in updated else spec
        for spec in specs
    ]
    return [spec for spec in result if spec.weight > 0], warnings
