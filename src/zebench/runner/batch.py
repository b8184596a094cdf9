"""Batches: a warmup per scenario, then every run of the plan, into one batch id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zebench.commands.runner import CommandRunner, LocalCommandRunner
from zebench.results.models import BatchRecord, ControlResult, RunRecord, utcnow
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.progress import NullProgress, ProgressReporter
from zebench.runner.sink import ResultSink
from zebench.runner.warmup import run_warmup
from zebench.scenarios.model import Scenario

RunnerFactory = Callable[[Scenario], CommandRunner]


def _local_runner(scenario: Scenario) -> CommandRunner:
    return LocalCommandRunner(base_env=scenario.env)


@dataclass
class BatchOutcome:
    """What a batch produced. ``interrupted`` means Ctrl-C stopped it; it can be resumed."""

    batch_id: str
    runs: list[RunRecord] = field(default_factory=list)
    controls: list[ControlResult] = field(default_factory=list)
    interrupted: bool = False


def run_batch(
    batch_id: str,
    specs: list[RunSpec],
    sink: ResultSink,
    *,
    skip_warmup: bool = False,
    metadata: dict[str, Any] | None = None,
    progress: ProgressReporter | None = None,
    runner_factory: RunnerFactory = _local_runner,
    workspace_root: Path = Path("results/workspaces"),
) -> BatchOutcome:
    """Run every spec in order into ``batch_id``.

    The warmup runs once per scenario of the batch (not per run) and is stored as the control
    result. Ctrl-C stores the current run as interrupted and stops the batch, leaving it
    resumable; the batch is marked complete only when every run finished.
    """
    progress = progress or NullProgress()
    batch = BatchRecord(batch_id=batch_id, metadata=metadata or {})
    sink.save_batch(batch)
    outcome = BatchOutcome(batch_id=batch_id)
    try:
        if not skip_warmup:
            seen: set[str] = set()
            for spec in specs:
                if spec.scenario.key in seen:
                    continue
                seen.add(spec.scenario.key)
                progress.phase(spec.scenario.key, "warmup")
                control = run_warmup(spec.scenario, workspace_root, runner_factory(spec.scenario))
                sink.save_control(batch_id, control)
                outcome.controls.append(control)
                progress.control_finished(control)
        for spec in specs:
            record = run_one(spec, sink, progress=progress, command_runner=runner_factory(spec.scenario))
            outcome.runs.append(record)
    except KeyboardInterrupt:
        outcome.interrupted = True
        return outcome
    batch.completed_at = utcnow()
    sink.save_batch(batch)
    return outcome
