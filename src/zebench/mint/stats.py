"""Baseline vs specialist: means, a bootstrap confidence interval, a permutation test and a verdict.

The verdict never claims an improvement the data cannot support: ``improved`` needs the whole 95%
interval above 0 **and** a permutation p-value below 0.05. Runs are paired by suite × scenario ×
tier × model when at least two such cells have both arms (the effect is then the mean of per-cell
differences, which removes the scenario-difficulty noise); otherwise the arms are compared as two
independent samples. Random resampling is seeded, so the same runs always give the same numbers.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from statistics import fmean
from typing import Literal

from pydantic import BaseModel

from zebench.results.models import RunStatus
from zebench.store.queries import BatchDetail, RunSummary

Arm = Literal["baseline", "specialist"]
Verdict = Literal["improved", "no evidence", "worse"]
Pairing = Literal["paired", "unpaired", "none"]
Cell = tuple[str, str, str, str]

# Runs that ended for reasons outside the agent's control say nothing about the specialist.
COUNTED_STATUSES = frozenset(
    {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.BUDGET_EXCEEDED}
)
EXACT_SIGN_FLIP_MAX_PAIRS = 12  # 2^12 = 4096 sign patterns
EXACT_PERMUTATION_MAX = 5000  # label assignments enumerated exactly below this many
_EPS = 1e-12


class Observation(BaseModel):
    """One counted run: its arm, score (0..1) and the cell it belongs to."""

    arm: Arm
    score: float
    suite: str
    scenario: str
    tier: str
    model: str

    @property
    def cell(self) -> Cell:
        return (self.suite, self.scenario, self.tier, self.model)


class ModelComparison(BaseModel):
    model: str
    baseline_score: float | None
    specialist_score: float | None
    improvement: float | None
    improvement_pct: float | None
    n_baseline: int
    n_specialist: int


class ArmComparison(BaseModel):
    """The snapshot's ``benchmarks.comparison`` and the dashboard's baseline-vs-specialist view."""

    baseline_avg_score: float | None
    specialist_avg_score: float | None
    improvement: float | None  # specialist mean − baseline mean, over all counted runs
    improvement_pct: float | None  # relative to the baseline mean; None when that is 0 or missing
    n_baseline: int
    n_specialist: int
    excluded_runs: int = 0
    pairing: Pairing
    n_pairs: int  # cells with runs in both arms
    estimate: float | None  # what the CI and p-value are about: mean per-cell difference, or `improvement`
    ci_level: float = 0.95
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    bootstrap_resamples: int
    seed: int
    wins: int
    ties: int
    losses: int
    verdict: Verdict
    verdict_reason: str
    models_compared: list[ModelComparison]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _mean(values: Sequence[float]) -> float | None:
    return fmean(values) if values else None


def _pct(diff: float | None, base: float | None) -> float | None:
    return None if diff is None or not base else diff / base * 100


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default), ``sorted_values`` ascending."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _interval(stats: list[float], level: float) -> tuple[float, float]:
    stats.sort()
    tail = (1 - level) / 2
    return quantile(stats, tail), quantile(stats, 1 - tail)


def paired_bootstrap(
    diffs: Sequence[float], *, resamples: int, rng: random.Random, level: float
) -> tuple[float, float]:
    """Percentile interval of the mean of ``diffs`` resampled with replacement."""
    k = len(diffs)
    return _interval([fmean(rng.choices(diffs, k=k)) for _ in range(resamples)], level)


def unpaired_bootstrap(
    base: Sequence[float], spec: Sequence[float], *, resamples: int, rng: random.Random, level: float
) -> tuple[float, float]:
    """Percentile interval of mean(spec) − mean(base), each arm resampled on its own."""
    stats = [
        fmean(rng.choices(spec, k=len(spec))) - fmean(rng.choices(base, k=len(base)))
        for _ in range(resamples)
    ]
    return _interval(stats, level)


def sign_flip_p(diffs: Sequence[float], *, resamples: int, rng: random.Random) -> tuple[float, str]:
    """Two-sided p-value of mean(diffs) under "no effect" (each difference equally likely ±)."""
    observed = abs(fmean(diffs))
    k = len(diffs)
    if k <= EXACT_SIGN_FLIP_MAX_PAIRS:
        hits = sum(
            1
            for signs in itertools.product((1, -1), repeat=k)
            if abs(sum(s * d for s, d in zip(signs, diffs, strict=True)) / k) >= observed - _EPS
        )
        return hits / 2**k, "paired sign-flip permutation test (exact)"
    hits = sum(
        1
        for _ in range(resamples)
        if abs(fmean([d if rng.random() < 0.5 else -d for d in diffs])) >= observed - _EPS
    )
    return (hits + 1) / (resamples + 1), f"paired sign-flip permutation test ({resamples} random flips)"


def permutation_p(
    base: Sequence[float], spec: Sequence[float], *, resamples: int, rng: random.Random
) -> tuple[float, str]:
    """Two-sided p-value of mean(spec) − mean(base) under "arm labels are exchangeable"."""
    pooled = [*base, *spec]
    n, m = len(pooled), len(spec)
    total = sum(pooled)
    observed = abs(fmean(spec) - fmean(base))

    def stat(spec_sum: float) -> float:
        return abs(spec_sum / m - (total - spec_sum) / (n - m))

    if math.comb(n, m) <= EXACT_PERMUTATION_MAX:
        combos = list(itertools.combinations(range(n), m))
        hits = sum(1 for c in combos if stat(sum(pooled[i] for i in c)) >= observed - _EPS)
        return hits / len(combos), "permutation test of the difference in means (exact)"
    hits = sum(1 for _ in range(resamples) if stat(sum(rng.sample(pooled, m))) >= observed - _EPS)
    return (hits + 1) / (resamples + 1), f"permutation test of the difference in means ({resamples} shuffles)"


def _by_model(observations: Sequence[Observation]) -> list[ModelComparison]:
    groups: dict[str, dict[Arm, list[float]]] = defaultdict(lambda: {"baseline": [], "specialist": []})
    for obs in observations:
        groups[obs.model][obs.arm].append(obs.score)
    rows = []
    for model in sorted(groups):
        base, spec = _mean(groups[model]["baseline"]), _mean(groups[model]["specialist"])
        diff = None if base is None or spec is None else spec - base
        rows.append(
            ModelComparison(
                model=model,
                baseline_score=_round(base),
                specialist_score=_round(spec),
                improvement=_round(diff),
                improvement_pct=_round(_pct(diff, base)),
                n_baseline=len(groups[model]["baseline"]),
                n_specialist=len(groups[model]["specialist"]),
            )
        )
    return rows


def _verdict(
    ci: tuple[float, float] | None, p: float | None, alpha: float, level: float
) -> tuple[Verdict, str]:
    if ci is None or p is None:
        return "no evidence", "needs counted runs in both arms"
    low, high = ci
    span = f"{level:.0%} CI [{low:+.4f}, {high:+.4f}]"
    if low <= 0 <= high:
        return "no evidence", f"{span} includes 0 (p = {p:.4g})"
    if p >= alpha:
        return "no evidence", f"{span} excludes 0 but p = {p:.4g} ≥ {alpha}"
    if low > 0:
        return "improved", f"{span} is above 0 and p = {p:.4g} < {alpha}"
    return "worse", f"{span} is below 0 and p = {p:.4g} < {alpha}"


def compare(
    observations: Sequence[Observation],
    *,
    resamples: int = 10_000,
    seed: int = 0,
    alpha: float = 0.05,
    level: float = 0.95,
    excluded_runs: int = 0,
) -> ArmComparison:
    """Compare the arms of ``observations``; see the module docstring for the method."""
    rng = random.Random(seed)
    base = [o.score for o in observations if o.arm == "baseline"]
    spec = [o.score for o in observations if o.arm == "specialist"]
    base_mean, spec_mean = _mean(base), _mean(spec)
    improvement = None if base_mean is None or spec_mean is None else spec_mean - base_mean
    cells: dict[Cell, dict[Arm, list[float]]] = defaultdict(lambda: {"baseline": [], "specialist": []})
    for obs in observations:
        cells[obs.cell][obs.arm].append(obs.score)
    diffs = [
        fmean(arms["specialist"]) - fmean(arms["baseline"])
        for _, arms in sorted(cells.items())
        if arms["baseline"] and arms["specialist"]
    ]
    pairing: Pairing = "paired" if len(diffs) >= 2 else "unpaired" if base and spec else "none"
    ci: tuple[float, float] | None = None
    p: float | None = None
    test = "none"
    estimate: float | None = None
    if pairing == "paired":
        estimate = fmean(diffs)
        ci = paired_bootstrap(diffs, resamples=resamples, rng=rng, level=level)
        p, test = sign_flip_p(diffs, resamples=resamples, rng=rng)
    elif pairing == "unpaired":
        estimate = improvement
        ci = unpaired_bootstrap(base, spec, resamples=resamples, rng=rng, level=level)
        p, test = permutation_p(base, spec, resamples=resamples, rng=rng)
    verdict, reason = _verdict(ci, p, alpha, level)
    return ArmComparison(
        baseline_avg_score=_round(base_mean),
        specialist_avg_score=_round(spec_mean),
        improvement=_round(improvement),
        improvement_pct=_round(_pct(improvement, base_mean)),
        n_baseline=len(base),
        n_specialist=len(spec),
        excluded_runs=excluded_runs,
        pairing=pairing,
        n_pairs=len(diffs),
        estimate=_round(estimate),
        ci_level=level,
        ci_low=_round(ci[0]) if ci else None,
        ci_high=_round(ci[1]) if ci else None,
        p_value=_round(p),
        test=test,
        bootstrap_resamples=resamples if ci else 0,
        seed=seed,
        wins=sum(1 for d in diffs if d > _EPS),
        ties=sum(1 for d in diffs if abs(d) <= _EPS),
        losses=sum(1 for d in diffs if d < -_EPS),
        verdict=verdict,
        verdict_reason=reason,
        models_compared=_by_model(observations),
    )


def specialist_matches(run_name: str | None, wanted: str | None) -> bool:
    """Whether a run's specialist is ``wanted`` (any specialist when ``wanted`` is None); scopes optional."""
    if run_name is None:
        return False
    return wanted is None or run_name == wanted or run_name.rsplit("/", 1)[-1] == wanted.rsplit("/", 1)[-1]


def is_counted(run: RunSummary) -> bool:
    return run.status in COUNTED_STATUSES


def observations_from_runs(
    runs: Sequence[RunSummary], specialist: str | None = None
) -> tuple[list[Observation], int]:
    """``(observations, excluded)``: counted runs of the baseline and of ``specialist``.

    A counted run without a score (it failed before scoring) scores 0: a specialist that makes the
    agent crash must not look better for it. Runs of other specialists and uncounted runs are excluded.
    """
    observations: list[Observation] = []
    excluded = 0
    for run in runs:
        arm: Arm | None = "baseline" if run.specialist_name is None else None
        if arm is None and specialist_matches(run.specialist_name, specialist):
            arm = "specialist"
        if arm is None or not is_counted(run):
            excluded += 1
            continue
        score = min(1.0, max(0.0, run.total_score or 0.0))
        observations.append(
            Observation(
                arm=arm,
                score=score,
                suite=run.suite,
                scenario=run.scenario,
                tier=run.tier,
                model=run.model or "unknown",
            )
        )
    return observations, excluded


def compare_arms(
    batch: BatchDetail, *, specialist: str | None = None, resamples: int = 10_000, seed: int = 0
) -> ArmComparison:
    """Baseline vs specialist runs of one batch (all specialists when ``specialist`` is None)."""
    observations, excluded = observations_from_runs(batch.runs, specialist)
    return compare(observations, resamples=resamples, seed=seed, excluded_runs=excluded)
