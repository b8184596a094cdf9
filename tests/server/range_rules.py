"""The write API's number ranges as data, to judge any request body against them (the fuzz tests).

Each rule is a path into a camelCase payload (``*`` for every item of a list), the bounds, and
whether the field is an integer. A number of the field's type outside its bounds must be refused
with a 422 naming that path; one inside must never be the reason for a refusal. Other values
(strings, booleans, a float where an integer belongs) are type errors, which these rules leave alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from zebench.results.ranges import MAX_COST_USD, WEIGHTED_SCORE_MAX

INT32_MAX = 2**31 - 1


@dataclass(frozen=True)
class Rule:
    path: tuple[str, ...]
    low: float
    high: float
    integer: bool = False
    low_open: bool = False  # low itself is out of range

    def holds(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high


def _counts(prefix: tuple[str, ...], names: tuple[str, ...]) -> list[Rule]:
    return [Rule((*prefix, n), 0, INT32_MAX, integer=True) for n in names]


_TOKENS = ("input", "output", "cacheRead", "cacheWrite")
RUN_RULES = [
    Rule(("totalScore",), 0, 1),
    Rule(("successThreshold",), 0, 1),
    Rule(("successMetric",), 0, 1),
    Rule(("weightedScore",), 0, WEIGHTED_SCORE_MAX),
    Rule(("attempt",), 1, 10_000, integer=True),
    Rule(("evaluations", "*", "score"), 0, 1),
    Rule(("evaluations", "*", "maxScore"), 0, 1, low_open=True),
    Rule(("evaluations", "*", "weight"), 0, math.inf),
    Rule(("telemetry", "costUsd"), 0, MAX_COST_USD),
    Rule(("telemetry", "judgeCostUsd"), 0, MAX_COST_USD),
    *_counts(
        ("telemetry",), ("durationMs", "agentDurationMs", "toolCalls", "turns", "tokensIn", "tokensOut")
    ),
    *_counts(("telemetry", "tokens"), _TOKENS),
    *_counts(("telemetry", "judgeTokens"), _TOKENS),
    *_counts(("validation", "*"), ("durationMs",)),
]
BATCH_RULES = [
    Rule(("avgScore",), 0, WEIGHTED_SCORE_MAX),
    Rule(("avgWeightedScore",), 0, WEIGHTED_SCORE_MAX),
    *_counts((), ("totalRuns", "successfulRuns")),
]


def _numbers(node: Any, path: tuple[str, ...], at: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    if not path:
        yield ".".join(at), node
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _numbers(item, rest, (*at, str(i)))
    elif isinstance(node, dict) and step in node:
        yield from _numbers(node[step], rest, (*at, step))


def judge(body: Any, rules: list[Rule]) -> tuple[set[str], set[str]]:
    """The fields of ``body`` holding a number out of range, and those holding one in range."""
    bad: set[str] = set()
    good: set[str] = set()
    for rule in rules:
        for field, value in _numbers(body, rule.path, ()):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if rule.integer and not isinstance(value, int):
                continue
            (good if rule.holds(float(value)) else bad).add(field)
    return bad, good


def refused_fields(status: int, body: Any) -> set[str]:
    """The fields a 422 answer (or a bulk item's) names; empty for any other answer."""
    if status != 422 or not isinstance(body, dict):
        return set()
    return {d["field"] for d in body.get("details") or [] if isinstance(d, dict) and "field" in d}


def check_answer(request: Any, status: int, answer: Any, rules: list[Rule]) -> None:
    """Assert the ranges held for one payload and the API's answer to it."""
    bad, good = judge(request, rules)
    refused = refused_fields(status, answer)
    if bad:
        assert status == 422, f"out-of-range {sorted(bad)} answered {status}: {answer}"
        assert bad <= refused, f"422 does not name {sorted(bad - refused)}: {answer}"
    blamed = good & refused
    assert not blamed, f"in-range {sorted(blamed)} refused: {answer}"
