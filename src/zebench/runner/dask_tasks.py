"""The worker side of ``--executor dask``: what a Dask worker runs, and how scenarios reach it.

Everything here executes in a worker process (a ``zebench worker`` or a plain ``dask worker``)
that has zebench installed. Scenarios are shipped as tar.gz bytes inside each task, so a worker
needs no shared folder; results are written by the worker to the shared store URL.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import tarfile
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

from zebench.agents import AgentOptions
from zebench.errors import ZebenchError
from zebench.runner.executors import LockedSink
from zebench.runner.limiter import ProviderLimiters
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.plan import SlotSpec
from zebench.scenarios.loader import load_scenario_dir
from zebench.scenarios.model import Scenario, WorkspaceLimits

RESOURCE = "zebench_run"  # `zebench worker --runs N` advertises zebench_run=N
PROGRESS_TOPIC = "zebench-progress"
_NOT_SHIPPED = {"limiter"}  # process-local objects; the worker supplies its own


def distributed_module() -> ModuleType:
    """Dask distributed, or one line saying which extra installs it."""
    try:
        import distributed
    except ImportError:
        raise ZebenchError(
            "--executor dask needs Dask distributed, which is not installed",
            hint="pip install 'zebench[distributed]'",
        ) from None
    return distributed


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


def spec_payload(spec: RunSpec, sandbox: str = "auto", offline: bool = False) -> dict[str, Any]:
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
        "sandbox": sandbox,
        "offline": offline,
        "workspace_limits": spec.workspace_limits.model_dump() if spec.workspace_limits else None,
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

    def run_finished(self, record: Any) -> None:
        return None


def worker_slots(worker: Any) -> int:
    """Runs this worker takes at once: its ``zebench_run`` resource, else its thread count."""
    resources = getattr(worker.state, "total_resources", {}) or {}
    if resources.get(RESOURCE):
        return max(1, int(resources[RESOURCE]))
    return max(1, int(getattr(worker.state, "nthreads", 1) or 1))


def _worker_state(worker: Any) -> dict[str, Any]:
    # One registry per worker process, kept on the worker object because Dask gives tasks no other
    # place that lives as long as the worker: its runs share a provider's limit and a store engine.
    state: dict[str, Any] | None = getattr(worker, "_zebench_state", None)
    if state is None:
        state = {"limiters": ProviderLimiters(initial=worker_slots(worker)), "stores": {}}
        worker._zebench_state = state
    return state


def _worker_store(worker: Any, store_url: str) -> Any:
    """One open store per worker process and URL: opening an engine per run cost ~50 ms a run."""
    from zebench.store import open_store

    stores: dict[str, Any] = _worker_state(worker)["stores"]
    store = stores.get(store_url)
    if store is None:
        store = stores[store_url] = LockedSink(open_store(store_url, migrate=False))
    return store


def remote_run(payload: bytes, data: dict[str, Any], store_url: str) -> dict[str, Any]:
    """The Dask task: run one spec on this worker, store it, return its summary (no artifacts)."""
    from zebench.sandbox import create_runner

    worker = distributed_module().get_worker()
    scenario = unpack_scenario(payload, data["suite"], data["scenario"])
    options = AgentOptions.model_validate(data["options"])
    limiter = _worker_state(worker)["limiters"]
    options = options.model_copy(update={"extra": {**options.extra, "limiter": limiter}})
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
        workspace_limits=WorkspaceLimits(**limits) if (limits := data.get("workspace_limits")) else None,
    )
    sink: LockedSink = _worker_store(worker, store_url)
    error: str | None = None
    try:
        record = run_one(
            spec,
            sink,
            progress=_EventProgress(worker),
            command_runner=create_runner(
                data.get("sandbox", "auto"), scenario, offline=bool(data.get("offline", False))
            ),
        )
    except ZebenchError as exc:
        error = exc.one_line()
        record = sink.last[data["run_id"]]
    finally:
        sink.last.pop(data["run_id"], None)  # the worker lives long: keep no finished records
    summary = record.model_dump(mode="json", exclude={"artifacts"})
    return {"record": summary, "error": error}


def worker_report(store_url: str, sandbox: str) -> dict[str, Any]:
    """What the client checks before submitting: run on every worker by ``Client.run``.

    Returns the worker's zebench version, host, whether it can reach the results store and
    whether its sandbox works, each problem as one line a user can act on.
    """
    from zebench.sandbox import probe_bwrap
    from zebench.store import open_store

    report: dict[str, Any] = {"host": socket.gethostname(), "store_error": None, "sandbox_error": None}
    try:
        report["version"] = version("zebench")
    except PackageNotFoundError:  # running from a source tree without metadata
        report["version"] = None
    if store_url.startswith("sqlite:///"):
        path = Path(store_url.removeprefix("sqlite:///"))
        if not path.is_file():
            report["store_error"] = (
                f"cannot see the SQLite database {path} (a worker on another machine needs a shared "
                "PostgreSQL store: --db postgresql+psycopg://USER@HOST/DB)"
            )
    if report["store_error"] is None:
        try:
            open_store(store_url, migrate=False).close()
        except Exception as exc:  # any failure here is the user's setup; report it, never crash
            report["store_error"] = f"cannot open the results store: {exc}"
    if sandbox != "none":
        probe = probe_bwrap()
        if not probe.ok:
            report["sandbox_error"] = probe.reason
    return report
