"""The comparison's numbers against values computed by hand on small fixed data."""

from __future__ import annotations

import pytest

from zebench.mint.stats import Observation, compare, quantile


def obs(arm: str, score: float, scenario: str = "s1", model: str = "m", tier: str = "L1") -> Observation:
    return Observation(arm=arm, score=score, suite="suite", scenario=scenario, tier=tier, model=model)  # type: ignore[arg-type]


def paired(diffs: list[tuple[float, float]]) -> list[Observation]:
    out: list[Observation] = []
    for i, (base, spec) in enumerate(diffs):
        out += [obs("baseline", base, f"c{i}"), obs("specialist", spec, f"c{i}")]
    return out


def test_seven_winning_cells_are_an_improvement() -> None:
    data = paired([(0.5, 0.7), (0.6, 0.65), (0.4, 0.8), (0.7, 0.75), (0.3, 0.6), (0.5, 0.9), (0.2, 0.5)])
    result = compare(data)
    # means: baseline 3.2/7, specialist 4.9/7; per-cell diffs .2 .05 .4 .05 .3 .4 .3 → mean 1.7/7
    assert result.baseline_avg_score == pytest.approx(3.2 / 7, abs=1e-6)
    assert result.specialist_avg_score == pytest.approx(4.9 / 7, abs=1e-6)
    assert result.improvement == pytest.approx(1.7 / 7, abs=1e-6)
    assert result.improvement_pct == pytest.approx(1.7 / 3.2 * 100, abs=1e-4)
    assert result.estimate == pytest.approx(1.7 / 7, abs=1e-6)
    assert (result.pairing, result.n_pairs, result.n_baseline, result.n_specialist) == ("paired", 7, 7, 7)
    assert (result.wins, result.ties, result.losses) == (7, 0, 0)
    # exact sign flips: only all-plus and all-minus reach |mean| ≥ 1.7/7 → 2 / 2^7
    assert result.p_value == pytest.approx(2 / 128)
    assert result.ci_low is not None and result.ci_high is not None
    assert 0.05 <= result.ci_low < 1.7 / 7 < result.ci_high <= 0.4  # inside [min diff, max diff]
    assert result.verdict == "improved"


def test_mirror_image_is_worse() -> None:
    data = paired([(0.7, 0.5), (0.65, 0.6), (0.8, 0.4), (0.75, 0.7), (0.6, 0.3), (0.9, 0.5), (0.5, 0.2)])
    result = compare(data)
    assert result.verdict == "worse"
    assert (result.wins, result.losses) == (0, 7)
    assert result.ci_high is not None and result.ci_high < 0


def test_ci_including_zero_is_no_evidence() -> None:
    data = paired([(0.5, 0.7), (0.6, 0.5), (0.4, 0.45), (0.7, 0.6)])
    result = compare(data)
    # diffs .2 -.1 .05 -.1 → mean .0125
    assert result.estimate == pytest.approx(0.0125)
    assert (result.wins, result.ties, result.losses) == (2, 0, 2)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high
    assert result.verdict == "no evidence"
    assert "includes 0" in result.verdict_reason


def test_ci_above_zero_with_few_pairs_is_still_no_evidence() -> None:
    result = compare(paired([(0.2, 0.5), (0.3, 0.4), (0.1, 0.3)]))
    # diffs .3 .1 .2: every bootstrap mean lies in [.1, .3], but the exact p is 2/8
    assert result.ci_low is not None and result.ci_low >= 0.1
    assert result.p_value == pytest.approx(0.25)
    assert result.verdict == "no evidence"


def test_unpaired_exact_permutation() -> None:
    data = [
        obs("baseline", 0.2, "a"),
        obs("baseline", 0.4, "b"),
        obs("specialist", 0.6, "c"),
        obs("specialist", 0.8, "d"),
    ]
    result = compare(data)
    assert result.pairing == "unpaired"
    assert result.improvement == pytest.approx(0.4)
    assert result.improvement_pct == pytest.approx(400 / 3, abs=1e-4)
    # 6 label splits; |Δ| of 0.4 is reached by the observed split and its mirror → 2/6
    assert result.p_value == pytest.approx(1 / 3)
    assert result.verdict == "no evidence"
    assert (result.wins, result.ties, result.losses) == (0, 0, 0)


def test_cells_average_their_runs_and_one_paired_cell_is_unpaired() -> None:
    data = [obs("baseline", 0.2), obs("baseline", 0.4), obs("specialist", 0.5)]
    result = compare(data)
    assert result.pairing == "unpaired"  # a single pair cannot carry an interval
    assert result.n_pairs == 1
    assert (result.wins, result.ties, result.losses) == (1, 0, 0)  # cell diff 0.5 − 0.3 = 0.2
    assert result.improvement == pytest.approx(0.2)


def test_models_are_compared_by_averages_not_last_runs() -> None:
    data = [
        obs("baseline", 0.2, model="a"),
        obs("baseline", 0.6, model="a"),
        obs("specialist", 0.9, model="a"),
        obs("specialist", 0.5, model="a"),
        obs("specialist", 1.0, model="b"),
    ]
    rows = {row.model: row for row in compare(data).models_compared}
    assert rows["a"].baseline_score == pytest.approx(0.4)
    assert rows["a"].specialist_score == pytest.approx(0.7)
    assert rows["a"].improvement == pytest.approx(0.3)
    assert rows["a"].improvement_pct == pytest.approx(75.0)
    assert (rows["a"].n_baseline, rows["a"].n_specialist) == (2, 2)
    assert rows["b"].baseline_score is None and rows["b"].improvement is None


def test_one_arm_only_has_no_statistics() -> None:
    result = compare([obs("specialist", 0.8)])
    assert (result.pairing, result.ci_low, result.p_value, result.verdict) == (
        "none",
        None,
        None,
        "no evidence",
    )
    assert result.baseline_avg_score is None and result.improvement is None


def test_resampling_is_seeded() -> None:
    data = paired([(0.5, 0.7), (0.6, 0.5), (0.4, 0.45), (0.7, 0.6), (0.1, 0.9)])
    assert compare(data, seed=7) == compare(data, seed=7)
    assert compare(data, seed=7).p_value == compare(data, seed=8).p_value  # the exact test needs no RNG


def test_quantile_interpolates() -> None:
    assert quantile([0.0, 1.0, 2.0, 3.0], 0.5) == 1.5
    assert quantile([0.0, 10.0], 0.025) == pytest.approx(0.25)
