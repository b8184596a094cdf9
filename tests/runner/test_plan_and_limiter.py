"""Experiment plans (matrix expansion, YAML, metadata round trip) and the adaptive rate limiter."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from scale_helpers import make_suite

from zebench.errors import ZebenchError
from zebench.llm.types import RetryEvent
from zebench.runner.limiter import AdaptiveLimiter, ProviderLimiters
from zebench.runner.plan import ExperimentPlan, build_specs, expand, load_plan, load_plan_scenarios


def test_matrix_expands_every_slot_and_round_trips_through_metadata(tmp_path: Path) -> None:
    suites = make_suite(tmp_path, scenarios={"a": "true", "b": "true"})
    plan = ExperimentPlan(
        suite="mini", tiers=["L0", "L1"], agents=["echo", "oracle"], models=["m1", "m2"], iterations=3
    )
    slots = expand(plan, load_plan_scenarios(plan, suites))
    assert len(slots) == 2 * 2 * 2 * 2 * 3
    assert len({slot.key for slot, _ in slots}) == len(slots)
    again = ExperimentPlan.from_metadata({**plan.to_metadata(), "figures": {"ignored": 1}})
    assert again == plan
    specs = build_specs(plan, [(s, sc, 1) for s, sc in slots[:2]], "b1", workspace_root=tmp_path / "ws")
    assert specs[0].metadata["slot"] == slots[0][0].key
    assert specs[0].options.model == slots[0][0].model
    assert specs[0].label != specs[1].label  # parallel runs of one cell get their own rows


def test_plan_file_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "exp.yaml"
    good.write_text(
        "suite: mini\nagents: echo,oracle\nmodels: [null]\niterations: 2\noptions: {max_turns: 5}\n"
    )
    plan = load_plan(good)
    assert plan.agents == ["echo", "oracle"] and plan.agent_options(None).max_turns == 5
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: mini\noptions: {max_turnz: 5}\n")
    with pytest.raises(ZebenchError, match="max_turnz"):
        load_plan(bad)
    with pytest.raises(ZebenchError, match="no stored plan"):
        ExperimentPlan.from_metadata({"iterations": 1})


def test_a_429_halves_the_limit_and_successes_grow_it_slowly() -> None:
    limiter = AdaptiveLimiter("p", initial=8, max_limit=8)
    limiter.rate_limited(0.01)
    assert limiter.capacity == 4
    limiter.rate_limited(0.01)  # same burst: cut once, not once per 429
    assert limiter.capacity == 4
    for _ in range(3):
        with limiter.slot():
            pass
    assert limiter.capacity == 4  # +1/limit per success: about `limit` successes per extra slot
    for _ in range(10):
        with limiter.slot():
            pass
    assert 5 <= limiter.capacity <= 8


def test_retry_after_blocks_new_calls_and_waits_are_reported() -> None:
    seen: list[tuple[str, str]] = []
    limiters = ProviderLimiters(2, on_wait=lambda provider, message: seen.append((provider, message)))
    limiters.on_retry("openai", RetryEvent(attempt=1, wait_s=0.3, reason="429 rate limited"))
    limiters.on_retry("openai", RetryEvent(attempt=1, wait_s=0.3, reason="503"))  # not a rate limit
    started = time.monotonic()
    with limiters.slot("openai"):
        pass
    assert time.monotonic() - started >= 0.25
    assert limiters.snapshot()["openai"]["cuts"] == 1
    assert any("waiting" in message for _, message in seen)
    assert any("rate limited" in message for _, message in seen)


def test_concurrency_never_exceeds_the_limit() -> None:
    limiter = AdaptiveLimiter("p", initial=2, max_limit=2)
    peak = 0
    lock = threading.Lock()
    active = 0

    def call() -> None:
        nonlocal peak, active
        with limiter.slot():
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.02)
            with lock:
                active -= 1

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2 and limiter.in_flight == 0
