"""Running a scenario's evaluators and turning the results into telemetry."""

from __future__ import annotations

import traceback
from typing import Any

from zebench.evaluators.base import EvaluationContext, get_evaluator
from zebench.results.models import EvaluationResult, Telemetry, TokenUsage
from zebench.scenarios.model import EvaluatorSpec


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
        judge_cost = result.details.get("cost_usd")
        if isinstance(judge_cost, int | float):
            cost = (cost or 0.0) + float(judge_cost)
    return telemetry.model_copy(update={"judge_tokens": tokens, "judge_cost_usd": cost})
