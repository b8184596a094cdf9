"""score_run: the weighted total over evaluators that scored, and the success rule; summarize."""

from __future__ import annotations

import pytest

from zebench.results.models import EvaluationResult, EvaluationStatus
from zebench.scoring import ScoreCard, score_run, summarize


def ev(
    name: str,
    score: float | None,
    *,
    weight: float = 1.0,
    required: bool = False,
    status: EvaluationStatus = "scored",
    passed: bool | None = None,
) -> EvaluationResult:
    if status != "scored":
        score = None
    return EvaluationResult(
        name=name,
        status=status,
        score=score,
        weight=weight,
        required=required,
        passed=(score == 1.0) if passed is None else passed,
    )


def test_perfect_run_reaches_one() -> None:
    card = score_run([ev("test", 1.0, weight=2.5), ev("lint", 1.0), ev("integrity", 1.0, weight=1.5)], 0.7)
    assert card == ScoreCard(
        total=1.0,
        is_successful=True,
        reason=None,
        counted=["test", "lint", "integrity"],
        skipped=[],
        required_failed=[],
    )


def test_weighted_mean_excludes_skipped_and_errors() -> None:
    card = score_run(
        [
            ev("test", 0.5, weight=3.0),
            ev("lint", 1.0, weight=1.0),
            ev("build", None, status="skipped", weight=5.0),
            ev("llm_judge", None, status="error", weight=5.0),
        ],
        0.5,
    )
    assert card.total == pytest.approx((0.5 * 3 + 1.0) / 4)
    assert card.counted == ["test", "lint"]
    assert card.skipped == ["build", "llm_judge"]
    assert card.is_successful


def test_all_skipped_has_no_total() -> None:
    card = score_run([ev("install", None, status="skipped"), ev("test", None, status="skipped")], 0.7)
    assert (card.total, card.is_successful, card.reason) == (None, False, "no evaluator could run")
    assert score_run([], 0.7).reason == "no evaluator could run"


def test_zero_weights_do_not_count() -> None:
    card = score_run([ev("a", 0.0, weight=0.0), ev("b", 0.8, weight=1.0)], 0.7)
    assert card.total == pytest.approx(0.8)
    assert card.counted == ["b"] and card.skipped == ["a"]
    only_zero = score_run([ev("a", 1.0, weight=0.0)], 0.7)
    assert only_zero.total is None and not only_zero.is_successful
    assert only_zero.reason == "no evaluator carries any weight"


def test_threshold_boundary_is_inclusive() -> None:
    # 0.7 computed as a float sum lands a hair below 0.7; the tolerance absorbs it.
    evaluations = [ev(f"e{i}", 0.7, passed=True) for i in range(3)]
    card = score_run(evaluations, 0.7)
    assert card.total is not None and card.total < 0.7  # 0.6999999999999998
    assert card.total == pytest.approx(0.7)
    assert card.is_successful and card.reason is None
    exactly = score_run([ev("a", 0.7, passed=True)], 0.7)
    assert exactly.is_successful


def test_below_threshold_explains_why() -> None:
    card = score_run([ev("a", 0.62, passed=False)], 0.7)
    assert not card.is_successful
    assert card.reason == "total 0.62 is below the threshold 0.70"


def test_required_failure_fails_a_high_total() -> None:
    card = score_run(
        [ev("heuristic_checks", 1.0, weight=10.0), ev("test", 0.9, required=True, passed=False)], 0.7
    )
    assert card.total is not None and card.total > 0.99
    assert not card.is_successful
    assert card.required_failed == ["test"]
    assert card.reason == "required evaluator 'test' failed"


def test_required_error_fails_but_required_skip_does_not() -> None:
    errored = score_run([ev("a", 1.0), ev("integrity", None, status="error", required=True)], 0.7)
    assert errored.required_failed == ["integrity"] and not errored.is_successful
    assert errored.total == 1.0
    skipped = score_run([ev("a", 1.0), ev("build", None, status="skipped", required=True)], 0.7)
    assert skipped.is_successful and skipped.required_failed == []


def test_required_weightless_evaluator_still_gates() -> None:
    card = score_run([ev("a", 1.0), ev("integrity", 0.5, weight=0.0, required=True, passed=False)], 0.7)
    assert card.total == 1.0 and card.required_failed == ["integrity"] and not card.is_successful


def test_summarize() -> None:
    stats = summarize([0.5, 1.0, 0.0])
    assert (stats.n, stats.mean, stats.min, stats.max) == (3, pytest.approx(0.5), 0.0, 1.0)
    assert stats.std == pytest.approx(0.5)
    one = summarize([0.3])
    assert (one.n, one.mean, one.std) == (1, 0.3, None)
    empty = summarize([])
    assert (empty.n, empty.mean, empty.std, empty.min, empty.max) == (0, None, None, None, None)
