"""Where runs execute: in this process (one after another, or on a thread pool) or on a cluster.

An :class:`Executor` takes the batch's run specs and yields each stored record as it finishes.
Every run owns its workspace, agent, toolbox and telemetry, so threads share only the sink
(serialised here) and the batch's rate limiters (thread-safe by design).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol

from zebench.commands.runner import CommandRunner
from zebench.errors import ZebenchError
from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.runner.pipeline import RunSpec, local_runner, run_one

__all__ = ["ExecutionReport", "Executor", "LocalExecutor", "LockedSink", "RunnerFactory", "local_runner"]
from zebench.runner.progress import ProgressReporter
from zebench.runner.sink import ResultSink
from zebench.scenarios.model import Scenario

RunnerFactory = Callable[[Scenario], CommandRunner]


@dataclass
class ExecutionReport:
    """What went wrong besides ordinary failed runs, collected while the batch goes on."""

    errors: list[ZebenchError] = field(default_factory=list)  # bad input: the CLI exits 2 at the end
    interrupted: bool = False
    stop_reason: ZebenchError | None = None  # why the executor stopped early by itself (not Ctrl-C)


class Executor(Protocol):
    """Runs specs and yields their final records, in completion order."""

    def run(
        self,
        specs: Sequence[RunSpec],
        sink: ResultSink,
        *,
        progress: ProgressReporter,
        runner_factory: RunnerFactory,
        cancel: threading.Event,
        report: ExecutionReport,
    ) -> Iterator[RunRecord]: ...


class LockedSink:
    """Serialises writes: a RemoteSink's outbox or a plug-in store need not be thread-safe, and it
    remembers each run's last saved record, so a run stopped by ``cancel`` can still be reported."""

    def __init__(self, inner: ResultSink) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self.last: dict[str, RunRecord] = {}

    def save_batch(self, batch: BatchRecord) -> None:
        with self._lock:
            self.inner.save_batch(batch)

    def save_run(self, run: RunRecord) -> None:
        with self._lock:
            self.inner.save_run(run)
            self.last[run.run_id] = run

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        with self._lock:
            self.inner.save_control(batch_id, control)


class LocalExecutor:
    """Runs in this process: inline when ``parallel`` is 1 (Ctrl-C reaches the run directly, as
    before), else on ``parallel`` threads that stop at the next phase when ``cancel`` is set."""

    def __init__(self, parallel: int = 1) -> None:
        self.parallel = max(1, parallel)

    def run(
        self,
        specs: Sequence[RunSpec],
        sink: ResultSink,
        *,
        progress: ProgressReporter,
        runner_factory: RunnerFactory,
        cancel: threading.Event,
        report: ExecutionReport,
    ) -> Iterator[RunRecord]:
        locked = LockedSink(sink)
        if min(self.parallel, len(specs)) == 1:  # one at a time: keep Ctrl-C's immediate effect
            yield from self._inline(specs, locked, progress, runner_factory, report)
            return
        yield from self._threaded(specs, locked, progress, runner_factory, cancel, report)

    @staticmethod
    def _one(
        spec: RunSpec,
        sink: LockedSink,
        progress: ProgressReporter,
        runner_factory: RunnerFactory,
        cancel: threading.Event | None,
        report: ExecutionReport,
    ) -> RunRecord | None:
        try:
            return run_one(
                spec, sink, progress=progress, command_runner=runner_factory(spec.scenario), cancel=cancel
            )
        except ZebenchError as exc:
            report.errors.append(exc)  # already stored as failed; keep the other runs going
            return sink.last.get(spec.run_id or "")

    def _inline(
        self,
        specs: Sequence[RunSpec],
        sink: LockedSink,
        progress: ProgressReporter,
        runner_factory: RunnerFactory,
        report: ExecutionReport,
    ) -> Iterator[RunRecord]:
        for spec in specs:
            try:
                record = self._one(spec, sink, progress, runner_factory, None, report)
            except KeyboardInterrupt:
                report.interrupted = True
                if (last := sink.last.get(spec.run_id or "")) is not None:
                    yield last
                return
            if record is not None:
                yield record

    def _threaded(
        self,
        specs: Sequence[RunSpec],
        sink: LockedSink,
        progress: ProgressReporter,
        runner_factory: RunnerFactory,
        cancel: threading.Event,
        report: ExecutionReport,
    ) -> Iterator[RunRecord]:
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="zebench-run")
        pending: dict[Future[RunRecord | None], RunSpec] = {}
        queue = list(reversed(specs))
        try:
            while queue or pending:
                # Submit lazily, at most ``parallel`` ahead: after Ctrl-C nothing new starts.
                while queue and len(pending) < self.parallel and not cancel.is_set():
                    spec = queue.pop()
                    future = pool.submit(self._one, spec, sink, progress, runner_factory, cancel, report)
                    pending[future] = spec
                if not pending:
                    break
                done = self._wait(pending, cancel, report)
                for future in done:
                    spec = pending.pop(future)
                    yield from self._collect(future, spec, sink, report)
            if queue:
                report.interrupted = True  # cancelled with runs never started: the batch is resumable
        finally:
            cancel.set()  # a consumer that stopped early must not leave threads starting phases
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _wait(
        pending: dict[Future[RunRecord | None], RunSpec], cancel: threading.Event, report: ExecutionReport
    ) -> set[Future[RunRecord | None]]:
        while True:
            try:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                # Ctrl-C: stop scheduling; in-flight runs store themselves as interrupted at their
                # next phase. A second Ctrl-C lands here again and we keep waiting: the writes are quick.
                cancel.set()
                report.interrupted = True
                continue
            if done:
                return done

    @staticmethod
    def _collect(
        future: Future[RunRecord | None], spec: RunSpec, sink: LockedSink, report: ExecutionReport
    ) -> Iterator[RunRecord]:
        try:
            record = future.result()
        except KeyboardInterrupt:
            report.interrupted = True
            record = sink.last.get(spec.run_id or "")
        if record is not None:
            yield record
