"""Batches: a warmup per scenario, then every run of the plan, into one batch id.

Runs go through an :class:`~zebench.runner.executors.Executor`: in this process (sequentially or
on ``parallel`` threads) or on a Dask cluster. Each run is stored as 'running' before it starts and
again when it ends, so neither Ctrl-C nor kill -9 loses a finished run, and ``--resume`` knows
exactly which slots are missing.
"""

from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zebench.errors import ZebenchError
from zebench.results.models import BatchRecord, ControlResult, RunRecord, new_run_id, utcnow
from zebench.runner.executors import ExecutionReport, Executor, LocalExecutor, RunnerFactory, local_runner
from zebench.runner.limiter import ProviderLimiters
from zebench.runner.pipeline import RunSpec
from zebench.runner.progress import NullProgress, ProgressReporter
from zebench.runner.sink import ResultSink
from zebench.runner.warmup import run_warmup
from zebench.sandbox.secrets import collect_secret_values, scrub_control
from zebench.scenarios.model import Scenario

__all__ = ["BatchOutcome", "RunnerFactory", "run_batch"]


@dataclass
class BatchOutcome:
    """What a batch produced. ``interrupted`` means Ctrl-C stopped it; it can be resumed.

    ``errors`` are bad-input errors (a broken scenario) met along the way: those runs are stored
    as failed, the others went on, and the CLI exits 2 at the end.
    """

    batch_id: str
    batch: BatchRecord
    runs: list[RunRecord] = field(default_factory=list)
    controls: list[ControlResult] = field(default_factory=list)
    interrupted: bool = False
    errors: list[ZebenchError] = field(default_factory=list)
    stop_reason: ZebenchError | None = None  # set when the executor, not Ctrl-C, stopped the batch


def _prepare(spec: RunSpec, limiters: ProviderLimiters | None) -> RunSpec:
    # The run id is fixed here, before any executor sees the spec: a re-executed task reuses it.
    if spec.run_id is None:
        spec.run_id = new_run_id()
    spec.metadata.setdefault("host", socket.gethostname())
    spec.metadata.setdefault("pid", os.getpid())
    if limiters is not None and "limiter" not in spec.options.extra:
        extra = {**spec.options.extra, "limiter": limiters}
        spec.options = spec.options.model_copy(update={"extra": extra})
    return spec


def _warmups(
    specs: list[RunSpec],
    batch_id: str,
    sink: ResultSink,
    progress: ProgressReporter,
    runner_factory: RunnerFactory,
    workspace_root: Path,
    parallel: int,
) -> list[ControlResult]:
    scenarios: dict[str, Scenario] = {}
    for spec in specs:
        scenarios.setdefault(spec.scenario.key, spec.scenario)

    def one(scenario: Scenario) -> ControlResult:
        progress.phase(scenario.key, "warmup")
        control = run_warmup(scenario, workspace_root, runner_factory(scenario))
        # Stored like a run: no configured secret value or key-like string in what was printed.
        control = scrub_control(control, collect_secret_values())
        sink.save_control(batch_id, control)
        progress.control_finished(control)
        return control

    if parallel <= 1 or len(scenarios) <= 1:
        return [one(s) for s in scenarios.values()]
    with ThreadPoolExecutor(
        max_workers=min(parallel, len(scenarios)), thread_name_prefix="zebench-warmup"
    ) as pool:
        return list(pool.map(one, scenarios.values()))


def run_batch(
    batch_id: str,
    specs: list[RunSpec],
    sink: ResultSink,
    *,
    skip_warmup: bool = False,
    metadata: dict[str, Any] | None = None,
    progress: ProgressReporter | None = None,
    runner_factory: RunnerFactory = local_runner,
    workspace_root: Path = Path("results/workspaces"),
    parallel: int = 1,
    executor: Executor | None = None,
    limiters: ProviderLimiters | None = None,
    cancel: threading.Event | None = None,
) -> BatchOutcome:
    """Run every spec into ``batch_id`` and return what was stored.

    The warmup runs once per scenario of the batch (not per run) and is stored as the control
    result. ``executor`` defaults to a :class:`LocalExecutor` with ``parallel`` threads.
    ``limiters`` (shared by every run) reach LLM agents as ``options.extra["limiter"]``. Ctrl-C
    (or setting ``cancel``) stops scheduling, stores in-flight runs as interrupted and leaves the
    batch resumable; the batch is marked complete only when every run finished.
    """
    progress = progress or NullProgress()
    cancel = cancel or threading.Event()
    executor = executor or LocalExecutor(parallel)
    batch = BatchRecord(batch_id=batch_id, metadata=metadata or {})
    sink.save_batch(batch)
    outcome = BatchOutcome(batch_id=batch_id, batch=batch)
    prepared = [_prepare(spec, limiters) for spec in specs]
    report = ExecutionReport()
    stream = None
    try:
        if not skip_warmup and prepared:
            outcome.controls = _warmups(
                prepared, batch_id, sink, progress, runner_factory, workspace_root, parallel
            )
        stream = executor.run(
            prepared, sink, progress=progress, runner_factory=runner_factory, cancel=cancel, report=report
        )
        for record in stream:
            outcome.runs.append(record)
    except KeyboardInterrupt:
        cancel.set()
        report.interrupted = True
        close = getattr(stream, "close", None)
        if callable(close):
            close()  # the executor's cleanup waits for in-flight runs to store themselves
    outcome.errors = report.errors
    outcome.interrupted = report.interrupted
    outcome.stop_reason = report.stop_reason
    if not outcome.interrupted:
        batch.completed_at = utcnow()
        sink.save_batch(batch)
    return outcome
