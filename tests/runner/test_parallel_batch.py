"""run_batch on threads into a real SQLite store: isolation, cancellation, resume bookkeeping."""

from __future__ import annotations

import threading
from pathlib import Path

from scale_helpers import make_suite

from zebench.results.models import RunRecord, RunStatus
from zebench.runner import run_batch
from zebench.runner.limiter import ProviderLimiters
from zebench.runner.pipeline import RunSpec
from zebench.runner.plan import ExperimentPlan, Slot, build_specs, expand, load_plan_scenarios
from zebench.runner.progress import NullProgress
from zebench.runner.resume import batch_figures, read_batch, slots_to_run
from zebench.scenarios.model import Scenario
from zebench.store import open_store


def _plan_specs(
    tmp_path: Path, plan: ExperimentPlan, batch: str
) -> tuple[list[tuple[Slot, Scenario]], list[RunSpec]]:
    scenarios = load_plan_scenarios(plan, tmp_path / "suites")
    slots = expand(plan, scenarios)
    return slots, build_specs(plan, [(s, sc, 1) for s, sc in slots], batch, workspace_root=tmp_path / "ws")


def test_parallel_runs_are_isolated_and_all_stored(tmp_path: Path) -> None:
    make_suite(tmp_path / "suites", scenarios={"a": "ls | wc -l", "b": "ls | wc -l"})
    plan = ExperimentPlan(suite="mini", agents=["echo"], iterations=3)
    slots, specs = _plan_specs(tmp_path, plan, "b-par")
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    limiters = ProviderLimiters(4)
    outcome = run_batch("b-par", specs, store, parallel=4, metadata=plan.to_metadata(), limiters=limiters)
    assert not outcome.interrupted and len(outcome.runs) == 6 and len(outcome.controls) == 2
    assert len({r.telemetry.workspace_dir for r in outcome.runs}) == 6  # one workspace per run
    assert all(r.status == RunStatus.COMPLETED and r.is_successful for r in outcome.runs)
    assert all(spec.options.extra["limiter"] is limiters for spec in specs)  # the agents' hook
    state = read_batch(store, "b-par")
    assert state.completed and set(state.slots) == {s.key for s, _ in slots}
    assert slots_to_run(state, [s for s, _ in slots], retry_errors=True) == []
    assert batch_figures(state)["final"]["successes"] == 6
    store.close()


class _CancelAfter(NullProgress):
    """Sets the cancel event once ``n`` runs have finished: what Ctrl-C does in the CLI."""

    def __init__(self, cancel: threading.Event, n: int) -> None:
        self.cancel, self.n, self.done = cancel, n, 0

    def run_finished(self, record: RunRecord) -> None:
        self.done += 1
        if self.done >= self.n:
            self.cancel.set()


def test_cancel_stops_scheduling_keeps_finished_runs_and_resume_completes(tmp_path: Path) -> None:
    make_suite(tmp_path / "suites", scenarios={"s": "sleep 0.3"})
    plan = ExperimentPlan(suite="mini", agents=["echo"], iterations=8)
    slots, specs = _plan_specs(tmp_path, plan, "b-cancel")
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    cancel = threading.Event()
    outcome = run_batch(
        "b-cancel", specs, store, parallel=2, skip_warmup=True, metadata=plan.to_metadata(),
        progress=_CancelAfter(cancel, 2), cancel=cancel,
    )  # fmt: skip
    assert outcome.interrupted
    state = read_batch(store, "b-cancel")
    assert not state.completed
    stored = [a for attempts in state.slots.values() for a in attempts]
    assert sum(a.status == RunStatus.COMPLETED for a in stored) >= 2  # no finished run lost
    assert all(a.status in (RunStatus.COMPLETED, RunStatus.INTERRUPTED) for a in stored)
    todo = slots_to_run(state, [s for s, _ in slots], retry_errors=False)
    assert 0 < len(todo) <= 6
    by_key = {s.key: sc for s, sc in slots}
    again = build_specs(
        plan, [(s, by_key[s.key], n) for s, n in todo], "b-cancel", workspace_root=tmp_path / "ws"
    )
    resumed = run_batch("b-cancel", again, store, parallel=2, skip_warmup=True, metadata=plan.to_metadata())
    assert not resumed.interrupted
    final = read_batch(store, "b-cancel")
    assert final.completed and len(final.slots) == 8
    assert all(final.last(key).status == RunStatus.COMPLETED for key in final.slots)  # type: ignore[union-attr]
    interrupted = [k for k, a in final.slots.items() if a[0].status == RunStatus.INTERRUPTED]
    assert all(final.slots[k][-1].attempt == 2 for k in interrupted)  # every attempt is kept
    figures = batch_figures(final)
    assert figures["final"]["successes"] == 8 and figures["attempts"] == 8 + len(interrupted)
    store.close()
