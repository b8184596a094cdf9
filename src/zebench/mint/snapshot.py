"""Minting: a template plus one batch's benchmark evidence, written as ``<name>/<version>/snapshot-NNN.json5``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from zebench import __version__
from zebench.errors import NotFoundError, TemplateError, ZebenchError
from zebench.mint.files import numbered_files, write_numbered
from zebench.mint.jsonio import dumps_json5, read_json5
from zebench.mint.schema import check
from zebench.mint.stats import ArmComparison, compare, is_counted, observations_from_runs, specialist_matches
from zebench.mint.templates import Template, load_template
from zebench.store.base import ResultStore
from zebench.store.queries import BatchDetail, EvaluationBrief, RunSummary

SNAPSHOT_PREFIX = "snapshot-"


class MintResult(BaseModel):
    """What ``mint_snapshot`` wrote."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    snapshot_id: str  # "001"
    name: str
    version: str
    template_source: Path
    comparison: ArmComparison


class SnapshotInfo(BaseModel):
    """One snapshot file as listed on the dashboard's specialists page."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    name: str
    version: str
    snapshot_id: str
    created_at: str | None = None
    batch_id: str | None = None
    verdict: str | None = None
    improvement: float | None = None
    baseline_avg_score: float | None = None
    specialist_avg_score: float | None = None
    n_baseline: int | None = None
    n_specialist: int | None = None
    error: str | None = None  # set when the file could not be read; the other fields are then partial


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def map_run(run: RunSummary) -> dict[str, Any]:
    """A stored run in the snapshot's snake_case shape (the design document's step 2)."""
    tokens_in, tokens_out = run.tokens_in or 0, run.tokens_out or 0
    return {
        "run_id": run.run_id,
        "run_date": _iso(run.completed_at or run.started_at),
        "batch_id": run.batch_id,
        "model": run.model or "",
        "specialist_enabled": run.specialist_name is not None,
        "specialist_name": run.specialist_name,
        "specialist_version": run.specialist_version,
        "suite": run.suite,
        "scenario": run.scenario,
        "tier": run.tier,
        "agent": run.agent,
        "status": str(run.status),
        "counted": is_counted(run),
        # total_score is already the 0..1 weighted total; a run that never got scored scored 0.
        "overall_score": min(1.0, max(0.0, run.total_score or 0.0)),
        **({"evaluations": map_evaluations(run.evaluations)} if run.evaluations is not None else {}),
        "telemetry": {
            "duration_ms": run.duration_ms,
            "cost_usd": run.cost_usd,
            "token_usage": {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        },
    }


def map_evaluations(evaluations: list[EvaluationBrief]) -> dict[str, dict[str, Any]]:
    """A run's evaluations as the snapshot's ``{name: {score, passed, error}}``.

    ``error`` is the evaluator's summary line when it errored (its status says so), else None;
    scores are clamped to the schema's 0..1 like ``overall_score``. A name seen twice keeps its
    last result.
    """
    out: dict[str, dict[str, Any]] = {}
    for e in evaluations:
        score = None if e.score is None else min(1.0, max(0.0, e.score))
        error = (e.summary or "evaluator error") if e.status == "error" else None
        out[e.name] = {"score": score, "passed": e.passed, "error": error}
    return out


def _test_suites(runs: list[RunSummary]) -> list[dict[str, str]]:
    pairs = sorted({(run.suite, run.scenario) for run in runs})
    return [
        {
            "name": scenario,
            "path": f"{suite}/{scenario}",
            "type": "functional",
            "description": f"Benchmark from {suite} suite",
        }
        for suite, scenario in pairs
    ]


def _evaluators(batch: BatchDetail) -> dict[str, dict[str, Any]]:
    # The batch-wide view per evaluator; each run also carries its own evaluations.
    out: dict[str, dict[str, Any]] = {}
    for row in batch.by_evaluator:
        name = row.key.get("evaluator")
        if name:
            out[name] = {"runs": row.runs, "mean_score": row.mean_score, "pass_rate": row.success_rate}
    return out


def build_snapshot(
    template: Template,
    batch: BatchDetail,
    *,
    created_at: datetime | None = None,
    resamples: int = 10_000,
    seed: int = 0,
) -> tuple[dict[str, Any], ArmComparison]:
    """The snapshot document and its comparison; raises for a batch without this specialist's runs."""
    batch_id = batch.summary.batch_id
    if not batch.runs:
        raise NotFoundError(f"batch {batch_id!r} has no runs", hint="mint a batch that ran the specialist")
    names = sorted({r.specialist_name for r in batch.runs if r.specialist_name})
    runs = [
        r
        for r in batch.runs
        if r.specialist_name is None or specialist_matches(r.specialist_name, template.name)
    ]
    if not any(r.specialist_name for r in runs):
        found = f"specialists in it: {', '.join(names)}" if names else "it has only baseline runs"
        raise ZebenchError(
            f"batch {batch_id!r} has no runs of specialist {template.name!r} ({found})",
            hint="run `zebench bench --specialist` with this template, or mint the template that ran",
        )
    observations, excluded = observations_from_runs(batch.runs, template.name)
    comparison = compare(observations, resamples=resamples, seed=seed, excluded_runs=excluded)
    snapshot = {key: value for key, value in template.data.items() if key != "benchmarks"}
    snapshot["benchmarks"] = {
        "test_suites": _test_suites(runs),
        "scoring": {
            "methodology": "weighted_average",
            "update_frequency": "per_experiment",
            "comparison_targets": ["baseline"],
        },
        "runs": [map_run(run) for run in runs],
        "comparison": comparison.model_dump(mode="json"),
        "evaluators": _evaluators(batch),
    }
    snapshot["snapshot_metadata"] = {
        "created_at": _iso(created_at or datetime.now(UTC)),
        "minted_by": f"zebench {__version__}",
        "template_version": template.version,
        "template_sha256": template.sha256,
        "template_source": str(template.source_path),
        "batch_id": batch_id,
    }
    return snapshot, comparison


def mint_snapshot(
    template: str | Path | Template,
    *,
    batch_id: str,
    output_dir: Path,
    store: ResultStore,
    templates_dir: Path | None = None,
    resamples: int = 10_000,
    seed: int = 0,
    created_at: datetime | None = None,
) -> MintResult:
    """Load the template (newest enriched version), read the batch in one request, write the next snapshot.

    The file goes to ``output_dir/<name without @scope>/<version>/snapshot-NNN.json5`` with the next
    free NNN; an existing snapshot is never overwritten. The snapshot is validated first.
    """
    loaded = (
        template if isinstance(template, Template) else load_template(template, templates_dir=templates_dir)
    )
    batch = store.get_batch(batch_id, with_evaluations=True)  # still one request or read
    snapshot, comparison = build_snapshot(
        loaded, batch, created_at=created_at, resamples=resamples, seed=seed
    )
    check(snapshot, "snapshot", file=f"snapshot of {loaded.source_path}")
    directory = output_dir / loaded.slug / loaded.version
    path, number = write_numbered(directory, SNAPSHOT_PREFIX, lambda n: _text_with_id(snapshot, n))
    return MintResult(
        path=path,
        snapshot_id=f"{number:03d}",
        name=loaded.name,
        version=loaded.version,
        template_source=loaded.source_path,
        comparison=comparison,
    )


def _text_with_id(snapshot: dict[str, Any], number: int) -> str:
    # The id is only known once a free name is found, so each attempt renders its own text.
    meta = {**snapshot["snapshot_metadata"], "snapshot_id": f"{number:03d}"}
    return dumps_json5({**snapshot, "snapshot_metadata": meta})


def list_snapshots(directory: Path) -> list[SnapshotInfo]:
    """Every ``<name>/<version>/snapshot-NNN.json5`` under ``directory``, by name, version, then id.

    A file that cannot be parsed is listed with ``error`` set rather than hiding the others.
    """
    infos: list[SnapshotInfo] = []
    if not directory.is_dir():
        return infos
    for name_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        for version_dir in sorted((p for p in name_dir.iterdir() if p.is_dir()), key=_version_sort_key):
            for number, path in numbered_files(version_dir, SNAPSHOT_PREFIX):
                infos.append(_info(path, name_dir.name, version_dir.name, f"{number:03d}"))
    return infos


def _version_sort_key(path: Path) -> tuple[tuple[int, ...], str]:
    parts = path.name.split(".")
    return (tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (), path.name)


def _info(path: Path, name: str, version: str, snapshot_id: str) -> SnapshotInfo:
    try:
        data = read_json5(path, what="snapshot")
    except TemplateError as exc:
        return SnapshotInfo(
            path=path, name=name, version=version, snapshot_id=snapshot_id, error=exc.one_line()
        )
    if not isinstance(data, dict):
        return SnapshotInfo(
            path=path, name=name, version=version, snapshot_id=snapshot_id, error="not a JSON object"
        )
    meta = data.get("snapshot_metadata") or {}
    comparison = (data.get("benchmarks") or {}).get("comparison") or {}
    if not isinstance(meta, dict) or not isinstance(comparison, dict):
        return SnapshotInfo(
            path=path, name=name, version=version, snapshot_id=snapshot_id, error="malformed snapshot fields"
        )
    try:
        return _summarise(path, data, meta, comparison, name, version, snapshot_id)
    except ValidationError as exc:
        # A hand-edited file with a mistyped field must not hide every other snapshot.
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return SnapshotInfo(
            path=path, name=name, version=version, snapshot_id=snapshot_id, error=f"{where}: {first['msg']}"
        )


def _summarise(
    path: Path,
    data: dict[str, Any],
    meta: dict[str, Any],
    comparison: dict[str, Any],
    name: str,
    version: str,
    snapshot_id: str,
) -> SnapshotInfo:
    return SnapshotInfo(
        path=path,
        name=str(data.get("name", name)),
        version=str(data.get("version", version)),
        snapshot_id=snapshot_id,
        created_at=meta.get("created_at"),
        batch_id=meta.get("batch_id"),
        verdict=comparison.get("verdict"),
        improvement=comparison.get("improvement"),
        baseline_avg_score=comparison.get("baseline_avg_score"),
        specialist_avg_score=comparison.get("specialist_avg_score"),
        n_baseline=comparison.get("n_baseline"),
        n_specialist=comparison.get("n_specialist"),
    )
