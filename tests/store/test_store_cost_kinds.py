"""``SqlStore.cost_kind_counts``: how each run's cost was obtained, per agent/model, on both backends."""

from __future__ import annotations

from store_helpers import simple_run

from zebench.results.models import Telemetry
from zebench.store import SqlStore
from zebench.store.base import CostKindReader


def _run(run_id: str, agent: str, cost: float | None, kind: str | None) -> object:
    return simple_run(run_id, agent=agent, telemetry=Telemetry(cost_usd=cost, cost_kind=kind))


def test_cost_kinds_per_agent_model(store: SqlStore) -> None:
    assert isinstance(store, CostKindReader)
    assert store.cost_kind_counts() == []
    store.save_runs(
        [
            _run("r1", "openrouter", 0.02, "measured"),
            _run("r2", "openrouter", 0.03, "measured"),
            _run("r3", "anthropic", 0.05, "estimated"),
            _run("r4", "anthropic", None, None),  # a model without a price
            _run("r5", "anthropic", None, "estimated"),  # no cost: unknown whatever the kind says
            _run("r6", "oracle", 0.0, "measured"),
            _run("r7", "anthropic", 0.01, None),  # a cost sent without its kind
        ]  # type: ignore[list-item]
    )
    rows = {(r.agent, r.model, r.cost_kind): (r.runs, r.total_cost_usd) for r in store.cost_kind_counts()}
    assert rows == {
        ("anthropic", "m1", "estimated"): (1, 0.05),
        ("anthropic", "m1", "unknown"): (2, None),
        ("anthropic", "m1", "unrecorded"): (1, 0.01),
        ("openrouter", "m1", "measured"): (2, 0.05),
        ("oracle", "m1", "measured"): (1, 0.0),
    }
