"""The weighted total of a run and the rule that decides whether it succeeded.

Only evaluators that actually scored count: a skipped or errored evaluator is left out of the
total instead of dragging it towards 0, which is how the original capped every run at 0.286.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from zebench.results.models import EvaluationResult

TOLERANCE = 1e-9  # so a total of 0.7 computed as 0.69999999 still meets a 0.7 threshold


class ScoreCard(BaseModel):
    """A run's total (0..1, None when nothing could be scored) and whether it succeeded, with why not."""

    total: float | None
    is_successful: bool
    reason: str | None = None
    counted: list[str] = Field(default_factory=list)  # evaluators in the total
    skipped: list[str] = Field(default_factory=list)  # skipped, errored or weightless: not in the total
    required_failed: list[str] = Field(default_factory=list)


def _score_of(evaluation: EvaluationResult) -> float:
    # A scored result without a score is a plug-in bug; 0 is the safe reading.
    value = evaluation.score if evaluation.score is not None else 0.0
    return min(1.0, max(0.0, value))


def score_run(evaluations: list[EvaluationResult], threshold: float) -> ScoreCard:
    """Σ(score × weight) / Σ(weights of scored evaluators with weight > 0), and the success rule.

    A run succeeds when the total reaches ``threshold`` and no required evaluator failed; a
    required evaluator fails when it scored without passing or ended in ``error``.
    """
    counted: list[str] = []
    skipped: list[str] = []
    required_failed: list[str] = []
    weighted = 0.0
    weights = 0.0
    any_scored = False
    for evaluation in evaluations:
        if evaluation.required and (
            evaluation.status == "error" or (evaluation.status == "scored" and not evaluation.passed)
        ):
            required_failed.append(evaluation.name)
        if evaluation.status == "scored":
            any_scored = True
        if evaluation.status == "scored" and evaluation.weight > 0:
            counted.append(evaluation.name)
            weighted += _score_of(evaluation) * evaluation.weight
            weights += evaluation.weight
        else:
            skipped.append(evaluation.name)

    total = weighted / weights if weights > 0 else None
    reason: str | None = None
    if total is None:
        reason = "no evaluator carries any weight" if any_scored else "no evaluator could run"
    elif required_failed:
        names = ", ".join(repr(n) for n in required_failed)
        noun = "evaluator" if len(required_failed) == 1 else "evaluators"
        reason = f"required {noun} {names} failed"
    elif total + TOLERANCE < threshold:
        reason = f"total {total:.2f} is below the threshold {threshold:.2f}"
    return ScoreCard(
        total=total,
        is_successful=reason is None,
        reason=reason,
        counted=counted,
        skipped=skipped,
        required_failed=required_failed,
    )
