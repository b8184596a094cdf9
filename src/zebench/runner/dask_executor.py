"""Runs as Dask tasks on a Dask distributed cluster (``--executor dask --scheduler tcp://HOST:8786``).

Design:

* **Scenarios are shipped**, not read from a shared path: the client packs each scenario folder
  (plus its shared prompt folder in the ze layout) as tar.gz bytes sent with each task, and the
  worker unpacks them into a content-addressed temp folder and re-loads the Scenario there. A
  worker needs zebench installed and nothing else (see :mod:`zebench.runner.dask_tasks`).
* **Workers write their own results** to the shared store URL (PostgreSQL for teams, SQLite on one
  machine) and return a summary; the client never writes a run, so nothing is written twice.
* **Idempotent**: the run id is fixed on the client before submission. When a worker dies, Dask
  re-runs its task elsewhere with the same run id, and ``save_run`` replaces the 'running' row the
  dead worker left instead of adding a second run.
* **Never silent**: before submitting, :mod:`zebench.runner.dask_cluster` waits for a worker (saying
  so), checks each one can run zebench tasks, and picks the per-worker limit: the ``zebench_run``
  resource of ``zebench worker --runs N``, or the threads of a plain ``dask worker``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from zebench.errors import ZebenchError
from zebench.results.models import RunRecord
from zebench.runner.dask_cluster import (
    ClusterPlan,
    StatusCallback,
    WorkerWatch,
    check_workers,
    connect,
    wait_for_workers,
)
from zebench.runner.dask_tasks import (
    PROGRESS_TOPIC,
    RESOURCE,
    distributed_module,
    pack_scenario,
    remote_run,
    spec_payload,
    unpack_scenario,
)
from zebench.runner.executors import ExecutionReport, RunnerFactory
from zebench.runner.pipeline import RunSpec
from zebench.runner.progress import ProgressReporter
from zebench.runner.sink import ResultSink

__all__ = ["RESOURCE", "DaskExecutor", "pack_scenario", "spec_payload", "unpack_scenario"]
_POLL_S = 0.05


def _print_status(message: str) -> None:
    print(message, flush=True)


class DaskExecutor:
    """Submits each run as one Dask task to the scheduler at ``scheduler``; results go to ``store_url``.

    ``wait_s`` bounds how long to wait for a worker (None: wait, saying so every few seconds);
    ``sandbox`` (and ``offline``) say how each worker isolates commands; ``status`` receives one-line
    notices (waiting, plain workers, a worker without a sandbox).
    """

    def __init__(
        self,
        scheduler: str,
        store_url: str,
        *,
        wait_s: float | None = None,
        sandbox: str = "auto",
        offline: bool = False,
        status: StatusCallback = _print_status,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self.scheduler = scheduler
        self.store_url = store_url
        self.wait_s = wait_s
        self.sandbox = sandbox
        self.offline = offline
        self.status = status
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self.plan: ClusterPlan | None = None

    def preflight(self) -> ClusterPlan:
        """Connect, wait for a worker and check every worker; raises ZebenchError with one line.

        Call it before the batch starts so a broken cluster fails fast; :meth:`run` calls it when
        it was not called.
        """
        if self.plan is not None:
            return self.plan
        client = connect(self.scheduler, self.connect_timeout_s)
        try:
            workers = wait_for_workers(client, self.scheduler, wait_s=self.wait_s, status=self.status)
            plan = check_workers(client, workers, self.store_url, self.sandbox, self.offline)
        except BaseException:
            client.close()
            raise
        for note in plan.notes:
            self.status(note)
        self._client, self.plan = client, plan
        return plan

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client, self.plan = None, None

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
        # The sink is unused on purpose: workers write runs themselves (no double write), and they
        # build their own command runners from the shipped sandbox mode.
        del sink, runner_factory
        plan = self.preflight()
        client = self._client
        try:
            client.subscribe_topic(PROGRESS_TOPIC, lambda event: _forward(progress, event))
            futures = self._submit(client, plan, specs)
            yield from self._collect(client, futures, progress, cancel, report)
        finally:
            self.close()

    def _submit(self, client: Any, plan: ClusterPlan, specs: Sequence[RunSpec]) -> list[Any]:
        payloads: dict[str, Any] = {}
        futures = []
        for spec in specs:
            key = spec.scenario.key
            if key not in payloads:
                # Embedded in each task, not scattered: scattered data has no lineage, so losing
                # the worker holding it would fail every run that needs it ("already forgotten").
                payloads[key] = pack_scenario(spec.scenario)
            futures.append(
                client.submit(
                    remote_run,
                    payloads[key],
                    spec_payload(spec, self.sandbox, self.offline),
                    self.store_url,
                    key=f"zebench-{spec.run_id}",
                    resources=plan.resources,
                    pure=False,
                )
            )
        return futures

    def _collect(
        self,
        client: Any,
        futures: list[Any],
        progress: ProgressReporter,
        cancel: threading.Event,
        report: ExecutionReport,
    ) -> Iterator[RunRecord]:
        completed = distributed_module().as_completed(futures)
        watch = WorkerWatch(client, self.scheduler, self.wait_s, self.status)
        remaining = len(futures)
        try:
            while remaining:
                ready = completed.next_batch(block=False) if completed.has_ready() else []
                if not ready:
                    stop = watch.tick(remaining)
                    if stop is not None:
                        report.stop_reason = stop
                        raise KeyboardInterrupt  # same path as Ctrl-C: cancel the rest, resumable
                    time.sleep(_POLL_S)
                    continue
                for future in ready:
                    remaining -= 1
                    yield from _result(future, progress, report)
                if cancel.is_set():
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            # Queued tasks are cancelled; tasks already on a worker cannot be stopped there and
            # finish, storing themselves, so no run is lost. ``--resume`` picks up the rest.
            cancel.set()
            report.interrupted = True
            client.cancel([f for f in futures if not f.done()])


def _result(future: Any, progress: ProgressReporter, report: ExecutionReport) -> Iterator[RunRecord]:
    try:
        outcome = future.result()
    except Exception as exc:  # the task itself broke (e.g. KilledWorker after too many deaths)
        progress.event("dask", f"task {future.key} failed: {type(exc).__name__}: {exc}")
        report.errors.append(ZebenchError(f"dask task {future.key} failed: {exc}"))
        return
    record = RunRecord.model_validate(outcome["record"])
    if outcome.get("error"):
        report.errors.append(ZebenchError(outcome["error"]))
    progress.run_finished(record)
    yield record


def _forward(progress: ProgressReporter, event: Any) -> None:
    msg = event[1] if isinstance(event, tuple) and len(event) == 2 else event
    if not isinstance(msg, dict):
        return
    if msg.get("kind") == "phase":
        progress.phase(str(msg.get("label")), str(msg.get("phase")), str(msg.get("detail", "")))
    elif msg.get("kind") == "event":
        progress.event(str(msg.get("label")), str(msg.get("message")))
