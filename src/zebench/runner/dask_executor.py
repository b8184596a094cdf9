"""Runs as Dask tasks on a Dask distributed cluster (``--executor dask --scheduler tcp://HOST:8786``).

Design:

* **Scenarios are shipped**, not read from a shared path: the client packs each scenario folder
  (plus its shared prompt folder in the ze layout) as tar.gz bytes sent with each task, and the
  worker unpacks them into a content-addressed temp folder and re-loads the Scenario there. A
  worker needs zebench installed and nothing else.
* **Workers write their own results** to the shared store URL (PostgreSQL for teams, SQLite on one
  machine) and return a summary; the client never writes a run, so nothing is written twice.
* **Idempotent**: the run id is fixed on the client before submission. When a worker dies, Dask
  re-runs its task elsewhere with the same run id, and ``save_run`` replaces the 'running' row the
  dead worker left instead of adding a second run.
* Each task needs the worker resource ``zebench_run=1``, so a worker started with
  ``--resources zebench_run=N`` takes at most N runs at a time (``zebench worker`` does that).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from zebench.agents import AgentOptions
from zebench.errors import ZebenchError
from zebench.results.models import RunRecord
from zebench.runner.executors import ExecutionReport, LockedSink, RunnerFactory
from zebench.runner.limiter import ProviderLimiters
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.plan import SlotSpec
from zebench.runner.progress import ProgressReporter
from zebench.runner.sink import ResultSink
from zebench.scenarios.loader import load_scenario_dir
from zebench.scenarios.model import Scenario

RESOURCE = "zebench_run"
PROGRESS_TOPIC = "zebench-progress"
_NOT_SHIPPED = {"limiter"}  # process-local objects; the worker supplies its own


def pack_scenario(scenario: Scenario) -> bytes:
    """The scenario folder as tar.gz bytes, laid out as ``<suite>/scenarios/<id>/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=3) as tar:
        tar.add(scenario.directory, arcname=f"{scenario.suite}/scenarios/{scenario.id}")
        prompt_dir = scenario.prompt_dir
        if prompt_dir is not None and not prompt_dir.is_relative_to(scenario.directory):
            tar.add(prompt_dir, arcname=f"{scenario.suite}/prompts/{scenario.id}")
    return buffer.getvalue()


def unpack_scenario(payload: bytes, suite: str, scenario_id: str, root: Path | None = None) -> Scenario:
    """Unpack once per content hash under ``root`` (default: the temp dir) and load the Scenario."""
    digest = hashlib.sha256(payload).hexdigest()[:16]
    base = (root or Path(tempfile.gettempdir()) / "zebench-scenarios") / digest
    if not base.is_dir():
        base.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=base.parent))
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
            tar.extractall(staging, filter="data")
        try:
            staging.rename(base)  # atomic: concurrent tasks on one worker never see half a folder
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another task won the race
    return load_scenario_dir(base / suite / "scenarios" / scenario_id, suite)


def spec_payload(spec: RunSpec) -> dict[str, Any]:
    """The picklable, JSON-like part of a spec (the scenario travels separately)."""
    options = spec.options.model_dump(mode="json", exclude={"extra"})
    options["extra"] = {k: v for k, v in spec.options.extra.items() if k not in _NOT_SHIPPED}
    return {
        "suite": spec.scenario.suite,
        "scenario": spec.scenario.id,
        "tier": spec.tier,
        "agent": spec.agent,
        "batch_id": spec.batch_id,
        "options": options,
        "keep_workspace": spec.keep_workspace,
        "run_id": spec.run_id,
        "attempt": spec.attempt,
        "system_prompt": spec.system_prompt,
        "specialist_name": spec.specialist_name,
        "specialist_version": spec.specialist_version,
        "metadata": spec.metadata,
    }


class _EventProgress:
    """Worker-side progress: forwards phases to the client through Dask's event log."""

    def __init__(self, worker: Any) -> None:
        self.worker = worker

    def _send(self, **msg: str) -> None:
        try:
            self.worker.log_event(PROGRESS_TOPIC, msg)
        except Exception:  # progress is best effort; a run must never fail on it
            return

    def phase(self, run_label: str, phase: str, detail: str = "") -> None:
        self._send(kind="phase", label=run_label, phase=phase, detail=detail)

    def event(self, run_label: str, message: str) -> None:
        self._send(kind="event", label=run_label, message=message)

    def control_finished(self, control: Any) -> None:
        return None

    def run_finished(self, record: RunRecord) -> None:
        return None


def _worker_limiters(worker: Any) -> ProviderLimiters:
    # One registry per worker process, so the runs one worker holds share a provider's limit.
    limiters = getattr(worker, "_zebench_limiters", None)
    if limiters is None:
        slots = sum(
            v for k, v in (getattr(worker.state, "total_resources", {}) or {}).items() if k == RESOURCE
        )
        limiters = ProviderLimiters(initial=max(1, int(slots or 1)))
        worker._zebench_limiters = limiters
    assert isinstance(limiters, ProviderLimiters)
    return limiters


def remote_run(payload: bytes, data: dict[str, Any], store_url: str) -> dict[str, Any]:
    """The Dask task: run one spec on this worker, store it, return its summary (no artifacts)."""
    from distributed import get_worker

    from zebench.commands.runner import LocalCommandRunner
    from zebench.store import open_store

    worker = get_worker()
    scenario = unpack_scenario(payload, data["suite"], data["scenario"])
    options = AgentOptions.model_validate(data["options"])
    options = options.model_copy(update={"extra": {**options.extra, "limiter": _worker_limiters(worker)}})
    metadata = {
        **data["metadata"],
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "worker": worker.address,
    }
    spec = SlotSpec(
        display=str(metadata.get("label") or ""),
        scenario=scenario,
        tier=data["tier"],
        agent=data["agent"],
        batch_id=data["batch_id"],
        options=options,
        workspace_root=Path(tempfile.gettempdir()) / "zebench-workspaces",
        keep_workspace=data["keep_workspace"],
        run_id=data["run_id"],
        attempt=data["attempt"],
        system_prompt=data["system_prompt"],
        specialist_name=data["specialist_name"],
        specialist_version=data["specialist_version"],
        metadata=metadata,
    )
    store = open_store(store_url, migrate=False)
    sink = LockedSink(store)
    error: str | None = None
    try:
        record = run_one(
            spec,
            sink,
            progress=_EventProgress(worker),
            command_runner=LocalCommandRunner(base_env=scenario.env),
        )
    except ZebenchError as exc:
        error = exc.one_line()
        record = sink.last[data["run_id"]]
    finally:
        store.close()
    summary = record.model_dump(mode="json", exclude={"artifacts"})
    return {"record": summary, "error": error}


class DaskExecutor:
    """Submits each run as one Dask task to the scheduler at ``scheduler``; results go to ``store_url``."""

    def __init__(self, scheduler: str, store_url: str, *, resources: dict[str, float] | None = None) -> None:
        self.scheduler = scheduler
        self.store_url = store_url
        self.resources = resources if resources is not None else {RESOURCE: 1}

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
        from distributed import Client, as_completed

        # The sink is unused on purpose: workers write runs themselves (no double write).
        del sink, runner_factory
        with Client(self.scheduler, timeout="30s") as client:
            client.subscribe_topic(PROGRESS_TOPIC, lambda event: _forward(progress, event))
            payloads: dict[str, bytes] = {}
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
                        spec_payload(spec),
                        self.store_url,
                        key=f"zebench-{spec.run_id}",
                        resources=self.resources,
                        pure=False,
                    )
                )
            completed = as_completed(futures)
            try:
                for future in completed:
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
