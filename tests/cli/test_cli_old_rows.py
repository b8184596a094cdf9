"""The list and detail commands over runs an older server stored with out-of-range numbers: they
show the stored value briefly, aggregate it clamped, and never crash."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import CliRun, as_json

from zebench.results.models import EvaluationResult, RunRecord, Telemetry
from zebench.store import open_store


def test_run_batch_and_lists_show_old_out_of_range_rows(tmp_path: Path, zb: CliRun) -> None:
    db = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(db) as store:
        store.save_runs(
            [
                RunRecord(
                    run_id="run_huge",
                    batch_id="batch_old",
                    suite="s",
                    scenario="c",
                    tier="L1",
                    agent="a",
                    status="completed",
                    total_score=1e308,
                    success_threshold=-0.5,
                    evaluations=[EvaluationResult(name="tests", score=1e308, weight=-1.0, passed=True)],
                    telemetry=Telemetry(duration_ms=5, cost_usd=1e308, judge_cost_usd=-3.0),
                )
            ]
        )
    shown = zb("run", "run_huge", "--db", db, check=0).stdout
    assert "1e+308 / 1.00" in shown and "$1e+308" in shown and "inf/10" not in shown
    assert as_json(zb("run", "run_huge", "--db", db, "--json", check=0))["total_score"] == 1e308
    listed = zb("runs", "--db", db, check=0).stdout
    assert "1e+308" in listed
    batch = as_json(zb("batch", "batch_old", "--db", db, "--json", check=0))
    # Aggregates read the score clamped into 0..1 and the cost into 0..1e9.
    assert (batch["summary"]["mean_score"], batch["summary"]["total_cost_usd"]) == (1.0, 1e9)
    assert "Traceback" not in zb("batch", "batch_old", "--db", db, check=0).stderr
    assert "Traceback" not in zb("compare", "batch_old", "batch_old", "--db", db, check=0).stderr
