"""Minting snapshots from a real SQLite store: mapping, comparison numbers, numbering, listing, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import json5
import pytest
import typer
from mint_helpers import minimal_template, write_json
from typer.testing import CliRunner

from zebench.errors import NotFoundError, ZebenchError
from zebench.mint import files
from zebench.mint.schema import schema_issues
from zebench.mint.snapshot import list_snapshots, mint_snapshot
from zebench.mint.stats import compare_arms
from zebench.mint.templates import load_template
from zebench.results.models import BatchRecord, EvaluationResult, RunRecord, RunStatus, Telemetry, TokenUsage
from zebench.store import SqlStore, open_store
from zebench.store.queries import BatchDetail

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
BATCH = "batch_mint"


def run(
    run_id: str, scenario: str, score: float | None, specialist: str | None = None, **extra: Any
) -> RunRecord:
    fields: dict[str, Any] = dict(
        run_id=run_id,
        batch_id=BATCH,
        suite="examples",
        scenario=scenario,
        tier="L1",
        agent="anthropic",
        model="claude-sonnet-4.5",
        status=RunStatus.COMPLETED,
        started_at=T0,
        completed_at=T0 + timedelta(seconds=30),
        total_score=score,
        specialist_name=specialist,
        specialist_version="1.0.0" if specialist else None,
        evaluations=[
            EvaluationResult(name="HeuristicChecksEvaluator", score=score or 0.0, passed=(score or 0) > 0.5)
        ],
        telemetry=Telemetry(duration_ms=30_000, tokens=TokenUsage(input=100, output=20)),
    )
    fields.update(extra)
    return RunRecord(**fields)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'results.db'}")
    opened.save_batch(BatchRecord(batch_id=BATCH, created_at=T0))
    for record in [
        run("b1", "fix-tests", 0.4),
        run("b2", "lint", 0.6),
        run("b3", "lint", None, status=RunStatus.FAILED),  # counted as 0
        run("s1", "fix-tests", 0.8, "demo-specialist"),
        run("s2", "lint", 0.7, "@acme/demo-specialist"),  # scopes are optional when matching
        run("s3", "lint", None, "demo-specialist", status=RunStatus.INFRA_ERROR),  # not counted
        run("o1", "lint", 1.0, "other-specialist"),  # another specialist: excluded
    ]:
        opened.save_run(record)
    yield opened
    opened.close()


class CountingStore:
    """The real store, counting get_batch calls (the mint must make exactly one)."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.get_batch_calls = 0

    def get_batch(self, batch_id: str, **options: Any) -> BatchDetail:
        self.get_batch_calls += 1
        return self.inner.get_batch(batch_id, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def template_path(tmp_path: Path) -> Path:
    return write_json(tmp_path / "templates" / "demo-specialist.json5", minimal_template())


def test_mint_writes_a_valid_snapshot_with_hand_computed_comparison(
    store: SqlStore, template_path: Path, tmp_path: Path
) -> None:
    counting = CountingStore(store)
    result = mint_snapshot(template_path, batch_id=BATCH, output_dir=tmp_path / "snaps", store=counting)  # type: ignore[arg-type]
    assert counting.get_batch_calls == 1
    assert result.path == tmp_path / "snaps" / "demo-specialist" / "1.0.0" / "snapshot-001.json5"
    snapshot = json5.loads(result.path.read_text())
    assert schema_issues(snapshot, "snapshot") == []

    runs = {r["run_id"]: r for r in snapshot["benchmarks"]["runs"]}
    assert sorted(runs) == ["b1", "b2", "b3", "s1", "s2", "s3"]
    assert runs["s1"]["overall_score"] == 0.8 and runs["s1"]["specialist_enabled"] is True
    assert runs["b3"]["overall_score"] == 0.0 and runs["b3"]["counted"] is True
    assert runs["s3"]["counted"] is False
    assert runs["b1"]["run_date"] == "2025-05-01T09:00:30Z"
    assert runs["b1"]["telemetry"] == {
        "duration_ms": 30_000,
        "cost_usd": None,
        "token_usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }
    assert snapshot["benchmarks"]["test_suites"] == [
        {
            "name": "fix-tests",
            "path": "examples/fix-tests",
            "type": "functional",
            "description": "Benchmark from examples suite",
        },
        {
            "name": "lint",
            "path": "examples/lint",
            "type": "functional",
            "description": "Benchmark from examples suite",
        },
    ]
    assert snapshot["benchmarks"]["evaluators"]["HeuristicChecksEvaluator"]["runs"] == 7

    c = snapshot["benchmarks"]["comparison"]
    # baseline 0.4, 0.6, 0 → 1/3; specialist 0.8, 0.7 → 0.75; cells: fix-tests .8−.4, lint .7−(.6+0)/2
    assert c["baseline_avg_score"] == pytest.approx(1 / 3, abs=1e-6)
    assert c["specialist_avg_score"] == pytest.approx(0.75)
    assert c["improvement"] == pytest.approx(0.75 - 1 / 3, abs=1e-6)
    assert c["improvement_pct"] == pytest.approx(125.0, abs=1e-4)
    assert (c["n_baseline"], c["n_specialist"], c["excluded_runs"]) == (3, 2, 2)
    assert (c["pairing"], c["n_pairs"], c["estimate"]) == ("paired", 2, pytest.approx(0.4))
    assert (c["ci_low"], c["ci_high"]) == (pytest.approx(0.4), pytest.approx(0.4))
    assert c["p_value"] == pytest.approx(0.5)  # 2 of 4 sign patterns
    assert (c["wins"], c["ties"], c["losses"]) == (2, 0, 0)
    assert c["verdict"] == "no evidence"  # the interval excludes 0, but two pairs prove nothing

    meta = snapshot["snapshot_metadata"]
    assert meta["minted_by"].startswith("zebench ")
    assert meta["batch_id"] == BATCH and meta["snapshot_id"] == "001"
    assert meta["template_sha256"] == load_template(template_path).sha256

    assert compare_arms(store.get_batch(BATCH), specialist="demo-specialist") == result.comparison


def test_next_mint_is_snapshot_002_and_never_overwrites(
    store: SqlStore, template_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "snaps"
    first = mint_snapshot(template_path, batch_id=BATCH, output_dir=out, store=store)
    before = first.path.read_text()
    second = mint_snapshot(template_path, batch_id=BATCH, output_dir=out, store=store)
    assert (second.snapshot_id, second.path.name) == ("002", "snapshot-002.json5")
    assert first.path.read_text() == before
    infos = list_snapshots(out)
    assert [(i.name, i.version, i.snapshot_id, i.verdict) for i in infos] == [
        ("demo-specialist", "1.0.0", "001", "no evidence"),
        ("demo-specialist", "1.0.0", "002", "no evidence"),
    ]
    (out / "demo-specialist" / "1.0.0" / "snapshot-003.json5").write_text("{broken")
    assert list_snapshots(out)[-1].error is not None


def test_a_taken_number_moves_on_instead_of_overwriting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in (1, 2):
        (tmp_path / f"snapshot-00{n}.json5").write_text(f"original {n}")
    monkeypatch.setattr(files, "next_number", lambda *args, **kwargs: 1)  # as if another writer raced us
    path, number = files.write_numbered(tmp_path, "snapshot-", lambda n: f"new {n}")
    assert (path.name, number, path.read_text()) == ("snapshot-003.json5", 3, "new 3")
    assert [(tmp_path / f"snapshot-00{n}.json5").read_text() for n in (1, 2)] == ["original 1", "original 2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"snapshot-00{n}.json5" for n in (1, 2, 3)]


def test_an_enriched_template_with_version_metadata_mints(
    store: SqlStore, template_path: Path, tmp_path: Path
) -> None:
    enriched = minimal_template(
        version_metadata={"created_at": "2025-01-01T00:00:00Z", "last_enriched_at": "2025-02-01T00:00:00Z"},
        documentation=[
            {
                "type": "official",
                "url": "https://x.dev",
                "description": "x",
                "enrichment": {"summary": "s", "enriched_at": "2025-02-01T00:00:00Z", "model_used": "m"},
            }
        ],
    )
    source = write_json(
        template_path.parent / "demo-specialist" / "enriched" / "1.0.0" / "enriched-001.json5", enriched
    )
    result = mint_snapshot(template_path, batch_id=BATCH, output_dir=tmp_path / "snaps", store=store)
    assert result.template_source == source
    assert schema_issues(json5.loads(result.path.read_text()), "snapshot") == []


def test_unknown_empty_and_specialist_less_batches_are_errors(
    store: SqlStore, template_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "snaps"
    with pytest.raises(NotFoundError, match="not found"):
        mint_snapshot(template_path, batch_id="batch_nope", output_dir=out, store=store)
    store.save_batch(BatchRecord(batch_id="batch_empty"))
    with pytest.raises(NotFoundError, match="has no runs"):
        mint_snapshot(template_path, batch_id="batch_empty", output_dir=out, store=store)
    other = write_json(tmp_path / "t2" / "x.json5", minimal_template(name="unrelated"))
    with pytest.raises(ZebenchError, match="no runs of specialist 'unrelated'"):
        mint_snapshot(other, batch_id=BATCH, output_dir=out, store=store)
    assert not out.exists()


def test_snapshot_command_reads_the_database(
    store: SqlStore, template_path: Path, tmp_path: Path, cli: typer.Typer, runner: CliRunner
) -> None:
    db = f"sqlite:///{tmp_path / 'results.db'}"
    args = [
        "mint",
        "snapshot",
        str(template_path),
        "--batch-id",
        BATCH,
        "--output",
        str(tmp_path / "o"),
        "--db",
        db,
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "snapshot 001 minted" in result.output
    assert "verdict: no evidence" in result.output
    assert (tmp_path / "o" / "demo-specialist" / "1.0.0" / "snapshot-001.json5").is_file()


def test_each_snapshot_run_carries_its_evaluations(
    store: SqlStore, template_path: Path, tmp_path: Path
) -> None:
    errored = run("s4", "fix-tests", 0.9, "demo-specialist")
    errored = errored.model_copy(
        update={
            "evaluations": [
                EvaluationResult(name="HeuristicChecksEvaluator", score=0.9, passed=True),
                EvaluationResult(name="LLMJudge", status="error", score=None, summary="judge timed out"),
            ]
        }
    )
    store.save_run(errored)
    counting = CountingStore(store)
    result = mint_snapshot(template_path, batch_id=BATCH, output_dir=tmp_path / "snaps", store=counting)  # type: ignore[arg-type]
    assert counting.get_batch_calls == 1  # the evaluations come with the same read
    snapshot = json5.loads(result.path.read_text())
    assert schema_issues(snapshot, "snapshot") == []
    runs = {r["run_id"]: r for r in snapshot["benchmarks"]["runs"]}
    assert runs["b1"]["evaluations"] == {
        "HeuristicChecksEvaluator": {"score": 0.4, "passed": False, "error": None}
    }
    assert runs["s4"]["evaluations"] == {
        "HeuristicChecksEvaluator": {"score": 0.9, "passed": True, "error": None},
        "LLMJudge": {"score": None, "passed": False, "error": "judge timed out"},
    }


def test_a_mistyped_snapshot_is_listed_with_an_error_not_raised(tmp_path: Path) -> None:
    from zebench.mint import list_snapshots

    good = tmp_path / "demo" / "1.0.0" / "snapshot-001.json5"
    bad = tmp_path / "demo" / "1.0.0" / "snapshot-002.json5"
    good.parent.mkdir(parents=True)
    good.write_text('{name: "demo", version: "1.0.0", snapshot_metadata: {batch_id: "b1"}}')
    bad.write_text(
        '{name: "demo", version: "1.0.0", snapshot_metadata: {batch_id: 123}, benchmarks: {comparison: {improvement: "big"}}}'
    )
    infos = list_snapshots(tmp_path)
    assert [i.snapshot_id for i in infos] == ["001", "002"]
    assert infos[0].error is None and infos[0].batch_id == "b1"
    assert infos[1].error is not None
