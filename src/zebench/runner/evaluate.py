"""Running a scenario's evaluators and turning the results into telemetry."""

from __future__ import annotations

import traceback
from typing import Any

from zebench.evaluators.base import EvaluationContext, get_evaluator
from zebench.results.models import EvaluationResult, Telemetry, TokenUsage
from zebench.results.ranges import as_cost, is_score
from zebench.scenarios.model import EvaluatorSpec


def _out_of_range(result: EvaluationResult) -> str | None:
    """Why an evaluator's numbers cannot be stored as they are (a plug-in bug), or None."""
    if result.score is not None and not is_score(result.score):
        return f"score {result.score!r} is outside 0..1"
    if not (is_score(result.max_score) and result.max_score > 0):
        return f"max_score {result.max_score!r} is outside (0, 1]"
    return None


def run_evaluators(specs: list[EvaluatorSpec], **context: Any) -> list[EvaluationResult]:
    """Run every evaluator; one that raises is reported as ``error`` instead of ending the run.

    ``context`` holds the EvaluationContext fields other than ``spec``; each evaluator gets its own
    context so none can leak state into the next.
    """
    results: list[EvaluationResult] = []
    for spec in specs:
        ctx = EvaluationContext(spec=spec, **context)
        try:
            result = get_evaluator(spec.name).evaluate(ctx)
        except Exception as exc:
            result = EvaluationResult(
                name=spec.name,
                status="error",
                weight=spec.weight,
                required=spec.required,
                summary=f"evaluator crashed: {type(exc).__name__}: {exc}",
                details={"traceback": traceback.format_exc(limit=5)},
            )
        problem = _out_of_range(result)
        if problem is not None:
            # What the results API would refuse, the run does not store either: the evaluator erred.
            result = EvaluationResult(
                name=spec.name,
                status="error",
                summary=f"evaluator returned an invalid result: {problem}",
                details={"returned": {"score": repr(result.score), "max_score": repr(result.max_score)}},
            )
        # The scenario's weight and required flag are authoritative, whatever the evaluator copied.
        results.append(result.model_copy(update={"weight": spec.weight, "required": spec.required}))
    return results


def add_judge_usage(telemetry: Telemetry, evaluations: list[EvaluationResult]) -> Telemetry:
    """Copy the LLM judge's own tokens and cost into the run's telemetry, apart from the agent's."""
    tokens = TokenUsage()
    cost: float | None = None
    for result in evaluations:
        usage = result.details.get("usage")
        if isinstance(usage, dict):
            tokens = tokens + TokenUsage.model_validate(usage)
        judge_cost = as_cost(result.details.get("cost_usd"))
        if judge_cost is not None:
            cost = (cost or 0.0) + judge_cost
    return telemetry.model_copy(update={"judge_tokens": tokens, "judge_cost_usd": cost})
