"""Properties of score_run: bounded total, skipped results ignored, weights scale-free, monotone threshold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zebench.results.models import EvaluationResult
from zebench.scoring import score_run

BUDGET = settings(max_examples=150, deadline=None)

scored = st.builds(
    EvaluationResult,
    name=st.text(min_size=1, max_size=6),
    status=st.just("scored"),
    score=st.one_of(st.none(), st.floats(min_value=-5, max_value=5, allow_nan=False)),
    weight=st.floats(min_value=0, max_value=100, allow_nan=False),
    required=st.booleans(),
    passed=st.booleans(),
)
not_scored = st.builds(
    EvaluationResult,
    name=st.text(min_size=1, max_size=6),
    status=st.sampled_from(["skipped", "error"]),
    score=st.one_of(st.none(), st.floats(min_value=-5, max_value=5, allow_nan=False)),
    weight=st.floats(min_value=0, max_value=100, allow_nan=False),
    required=st.just(False),
)
evaluations = st.lists(scored, max_size=6)
thresholds = st.floats(min_value=0, max_value=1)


@BUDGET
@given(evaluations, thresholds)
def test_total_is_within_zero_and_one(evals: list[EvaluationResult], threshold: float) -> None:
    card = score_run(evals, threshold)
    if card.total is not None:
        assert 0.0 <= card.total <= 1.0
    if card.is_successful:
        assert card.total is not None and card.total + 1e-9 >= threshold and not card.required_failed


@BUDGET
@given(evaluations, st.lists(not_scored, min_size=1, max_size=4), st.randoms(), thresholds)
def test_skipped_results_never_change_the_total(
    evals: list[EvaluationResult], skipped: list[EvaluationResult], rnd: object, threshold: float
) -> None:
    mixed = evals + skipped
    rnd.shuffle(mixed)  # type: ignore[attr-defined]
    assert score_run(mixed, threshold).total == score_run(evals, threshold).total or (
        abs((score_run(mixed, threshold).total or 0) - (score_run(evals, threshold).total or 0)) < 1e-12
    )


@BUDGET
@given(evaluations, st.floats(min_value=1e-3, max_value=1e3), thresholds)
def test_weights_are_scale_invariant(evals: list[EvaluationResult], factor: float, threshold: float) -> None:
    scaled = [e.model_copy(update={"weight": e.weight * factor}) for e in evals]
    a, b = score_run(evals, threshold).total, score_run(scaled, threshold).total
    if a is None or b is None:
        # Scaling can only push a tiny weight across 0 (underflow); otherwise both are None.
        assert all(e.weight * factor == 0 or e.weight == 0 for e in evals) or a == b
        return
    assert abs(a - b) < 1e-9


@BUDGET
@given(evaluations, thresholds, thresholds)
def test_threshold_is_monotonic(evals: list[EvaluationResult], t1: float, t2: float) -> None:
    low, high = sorted((t1, t2))
    if score_run(evals, high).is_successful:
        assert score_run(evals, low).is_successful
