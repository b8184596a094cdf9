"""``zebench bench`` end to end on the bundled examples: PASS, FAIL, iterations, stored results."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_helpers import CliRun, as_json


def test_oracle_passes_and_the_batch_shows_it(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", check=0)
    assert "Benchmark passed" in proc.stdout
    assert "PASS" in proc.stdout
    assert "17/17 tests passed" in proc.stdout
    assert (tmp_path / "results" / "zebench.db").exists()
    batches = as_json(zb("batches", "--json", check=0))
    assert len(batches["items"]) == 1
    batch_id = batches["items"][0]["batch_id"]
    assert batch_id.startswith("batch_")
    detail = as_json(zb("batch", batch_id, "--json", check=0))
    assert detail["summary"]["runs"] == 1 and detail["summary"]["successes"] == 1
    assert detail["runs"][0]["agent"] == "oracle"
    assert detail["runs"][0]["total_score"] == pytest.approx(1.0)
    # The warmup ran on the pristine fixture and failed, as the scenario starts broken.
    assert len(detail["controls"]) == 1 and detail["controls"][0]["passed"] is False
    shown = zb("batch", batch_id, check=0)
    assert batch_id in shown.stdout and "fix-failing-tests" in shown.stdout
    # The workspace was removed after a successful store.
    assert not any((tmp_path / "results" / "workspaces").iterdir())


def test_echo_fails_with_exit_1_and_a_reason(zb: CliRun) -> None:
    proc = zb("bench", "examples", "fix-lint-errors", "--agent", "echo", "--json", check=1)
    run = as_json(proc)
    assert run["status"] == "completed"
    assert run["is_successful"] is False
    assert "required evaluator" in run["reason"] or "below the threshold" in run["reason"]
    lint = next(e for e in run["evaluations"] if e["name"] == "lint")
    assert lint["score"] == 0.0 and lint["required"] is True
    assert run["changed_files"] == []


def test_three_iterations_make_one_batch_with_correct_aggregates(zb: CliRun, tmp_path: Path) -> None:
    proc = zb(
        "bench",
        "examples",
        "implement-feature",
        "--agent",
        "oracle",
        "--iterations",
        "3",
        "--batch-id",
        "nightly-1",
        "--tier",
        "L2",
        check=0,
    )
    assert "Batch summary" in proc.stdout and "3/3 (100%)" in proc.stdout
    detail = as_json(zb("batch", "nightly-1", "--json", check=0))
    summary = detail["summary"]
    assert summary["runs"] == 3 and summary["successes"] == 3
    assert summary["success_rate"] == pytest.approx(1.0)
    assert summary["mean_score"] == pytest.approx(1.0) and summary["min_score"] == pytest.approx(1.0)
    assert {r["tier"] for r in detail["runs"]} == {"L2"}
    assert len({r["run_id"] for r in detail["runs"]}) == 3
    # Aggregates come from the stored runs themselves.
    db = sqlite3.connect(tmp_path / "results" / "zebench.db")
    (count,) = db.execute("select count(*) from runs where batch_id = 'nightly-1'").fetchone()
    assert count == 3


def test_echo_then_oracle_compare(zb: CliRun) -> None:
    zb(
        "bench",
        "examples",
        "node-fix-tests",
        "--agent",
        "echo",
        "--batch-id",
        "b-echo",
        "--skip-warmup",
        check=1,
    )
    zb(
        "bench",
        "examples",
        "node-fix-tests",
        "--agent",
        "oracle",
        "--batch-id",
        "b-oracle",
        "--skip-warmup",
        check=0,
    )
    data = as_json(zb("compare", "b-echo", "b-oracle", "--json", check=0))
    scores = data["scenarios"]["examples/node-fix-tests"]
    assert scores["b-oracle"] == pytest.approx(1.0)
    assert scores["b-echo"] < 0.8
    shown = zb("compare", "b-echo", "b-oracle", check=0)
    assert "Mean score per scenario" in shown.stdout


def test_runs_and_run_detail(zb: CliRun) -> None:
    run = as_json(
        zb(
            "bench",
            "examples",
            "bump-dependency-pins",
            "--agent",
            "oracle",
            "--json",
            "--skip-warmup",
            check=0,
        )
    )
    listed = as_json(zb("runs", "--json", "--agent", "oracle", check=0))
    assert [r["run_id"] for r in listed["items"]] == [run["run_id"]]
    assert as_json(zb("runs", "--json", "--agent", "echo", check=0))["items"] == []
    detail = as_json(zb("run", run["run_id"], "--json", check=0))
    assert detail["run_id"] == run["run_id"]
    assert "diff" in detail["artifact_names"] and "trajectory" in detail["artifact_names"]
    deps = {(d["name"], d["after"]) for d in detail["dependency_changes"]}
    assert ("requests", "==2.32.3") in deps
    shown = zb("run", run["run_id"], "--diff", check=0)
    assert "requirements.txt" in shown.stdout and "+requests==2.32.3" in shown.stdout


def test_keep_workspace_keeps_it(zb: CliRun, tmp_path: Path) -> None:
    run = as_json(
        zb(
            "bench",
            "examples",
            "fix-failing-tests",
            "--agent",
            "oracle",
            "--json",
            "--keep-workspace",
            "--skip-warmup",
            check=0,
        )
    )
    workspace = Path(run["telemetry"]["workspace_dir"])
    assert workspace.is_dir() and workspace.parent == tmp_path / "results" / "workspaces"
    assert workspace.name.startswith("examples-fix-failing-tests-")


def test_db_flag_and_env(zb: CliRun, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", "--db", url, "--skip-warmup", check=0)
    assert (tmp_path / "other.db").exists()
    assert len(as_json(zb("runs", "--json", ZEBENCH_DB_URL=url, check=0))["items"]) == 1
