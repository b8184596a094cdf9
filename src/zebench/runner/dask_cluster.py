"""The client side of a Dask cluster before and during a batch: connect, wait, check the workers.

A batch must never hang silently. Before submitting, the client waits for at least one worker
(saying so, and giving up after ``wait_s`` when set), asks every worker whether it can run zebench
tasks (zebench installed at the client's version, the results store reachable, the sandbox
working) and decides how to limit runs per worker: by the ``zebench_run`` resource that
``zebench worker`` advertises, or by the threads of plain ``dask worker`` processes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from zebench.errors import ZebenchError
from zebench.runner.dask_tasks import RESOURCE, distributed_module, worker_report

StatusCallback = Callable[[str], None]
STATUS_EVERY_S = 15.0  # how often "still waiting" is repeated while no worker is connected


@dataclass
class ClusterPlan:
    """How tasks go to the workers found by the preflight."""

    workers: list[str]
    resources: dict[str, float] | None  # None: plain workers, limited by their threads
    slots: int  # runs the cluster takes at once
    notes: list[str] = field(default_factory=list)  # one line each, for the user


def connect(scheduler: str, timeout_s: float) -> Any:
    """A ``distributed.Client`` for ``scheduler``; one clear line when it cannot be reached."""
    distributed = distributed_module()
    try:
        return distributed.Client(scheduler, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError) as exc:
        raise ZebenchError(
            f"cannot reach the Dask scheduler at {scheduler}: {exc}",
            field="--scheduler",
            hint="start one with `dask scheduler --port 8786` and check the address",
        ) from None


def _workers(client: Any) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = client.scheduler_info(n_workers=-1).get("workers", {})
    return info


def wait_for_workers(
    client: Any,
    scheduler: str,
    *,
    wait_s: float | None,
    status: StatusCallback,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, dict[str, Any]]:
    """The connected workers; waits for the first one, saying so, for at most ``wait_s`` seconds."""
    started = time.monotonic()
    announced = -STATUS_EVERY_S
    while True:
        workers = _workers(client)
        if workers:
            return workers
        waited = time.monotonic() - started
        if wait_s is not None and waited >= wait_s:
            raise ZebenchError(
                f"no Dask worker joined {scheduler} within {wait_s:g} s",
                field="--dask-wait",
                hint=f"start one with `zebench worker {scheduler}` or `dask worker {scheduler}`",
            )
        if waited - announced >= STATUS_EVERY_S:
            so_far = "none connected yet" if waited < 1 else f"none after {waited:.0f} s"
            limit = f"giving up after {wait_s:g} s" if wait_s is not None else "--dask-wait N gives up"
            status(
                f"waiting for a Dask worker on {scheduler} ({so_far}; {limit}): "
                f"start one with `zebench worker {scheduler}`"
            )
            announced = waited
        sleep(0.25)


def check_workers(
    client: Any, workers: dict[str, dict[str, Any]], store_url: str, sandbox: str, offline: bool = False
) -> ClusterPlan:
    """Ask every worker whether it can run zebench tasks; raises one line naming what is missing."""
    try:
        expected: str | None = version("zebench")
    except PackageNotFoundError:  # a source tree without metadata: versions cannot be compared
        expected = None
    addresses = sorted(workers)
    install = f"install zebench{f' {expected}' if expected else ''} in the workers' Python and restart them"
    # worker_report travels by reference: a worker without zebench fails to load it, and says so.
    reports = client.run(worker_report, store_url, sandbox, workers=addresses, on_error="return")
    broken = [a for a in addresses if isinstance(reports.get(a), BaseException) or a not in reports]
    if broken:
        error = reports.get(broken[0])
        why = describe_remote_error(error) if isinstance(error, BaseException) else "no answer"
        raise ZebenchError(
            f"Dask worker {broken[0]} cannot run zebench tasks ({why}); "
            f"{len(broken)} of {len(addresses)} worker(s) affected",
            field="--scheduler",
            hint=install,
        )
    notes: list[str] = []
    for addr in addresses:
        report = reports[addr]
        if expected is not None and report["version"] not in (None, expected):
            raise ZebenchError(
                f"Dask worker {addr} has zebench {report['version']}, this client {expected}",
                field="--scheduler",
                hint=install,
            )
        if report["store_error"]:
            raise ZebenchError(
                f"Dask worker {addr} on {report['host']} {report['store_error']}",
                field="--db",
                hint="give every worker access to the same results store",
            )
        if report["sandbox_error"]:
            if sandbox == "bwrap" or offline:
                raise ZebenchError(
                    f"Dask worker {addr} cannot sandbox commands: {report['sandbox_error']}",
                    field="--offline" if offline else "--sandbox",
                    hint="install bubblewrap on the workers"
                    + ("" if offline else " or pass --sandbox auto|none"),
                )
            notes.append(f"worker {addr} runs commands without a sandbox: {report['sandbox_error']}")
    return plan_resources(workers, notes)


_WRAPPED = re.compile(r"^(\w+)\((['\"])(.*)\2,?\)$", re.S)


def describe_remote_error(error: BaseException) -> str:
    """``Kind: message`` for an error raised on a worker; Dask wraps some (such as a failed
    import of the task's function) in a plain Exception whose text is the original's repr."""
    text = str(error)
    match = _WRAPPED.match(text) if type(error) is Exception else None
    if match:
        return f"{match.group(1)}: {match.group(3)}"
    return f"{type(error).__name__}: {text}"


def plan_resources(workers: dict[str, dict[str, Any]], notes: list[str] | None = None) -> ClusterPlan:
    """Limit runs by the ``zebench_run`` resource where workers advertise it, else by threads."""
    notes = list(notes or [])
    with_resource = {a: w for a, w in workers.items() if (w.get("resources") or {}).get(RESOURCE)}
    if with_resource:
        plain = len(workers) - len(with_resource)
        if plain:
            notes.append(
                f"{plain} plain dask worker(s) without the {RESOURCE} resource take no runs; "
                "start them with `zebench worker` to use them"
            )
        slots = sum(int(w["resources"][RESOURCE]) for w in with_resource.values())
        return ClusterPlan(sorted(with_resource), {RESOURCE: 1}, max(1, slots), notes)
    slots = sum(int(w.get("nthreads") or 1) for w in workers.values())
    notes.append(
        f"plain dask workers: each takes as many runs at once as it has threads ({slots} in all); "
        f"`zebench worker --runs N` sets that per machine"
    )
    return ClusterPlan(sorted(workers), None, max(1, slots), notes)


class WorkerWatch:
    """During a batch: notices when every worker has left, says so, and gives up after ``wait_s``."""

    def __init__(
        self, client: Any, scheduler: str, wait_s: float | None, status: StatusCallback, every_s: float = 2.0
    ) -> None:
        self.client = client
        self.scheduler = scheduler
        self.wait_s = wait_s
        self.status = status
        self.every_s = every_s
        self._checked = time.monotonic()
        self._empty_since: float | None = None
        self._announced: float | None = None

    def tick(self, waiting_runs: int) -> ZebenchError | None:
        """Check now and then; the error to stop with once no worker came back within ``wait_s``."""
        now = time.monotonic()
        if now - self._checked < self.every_s:
            return None
        self._checked = now
        if _workers(self.client):
            self._empty_since = self._announced = None
            return None
        if self._empty_since is None:
            self._empty_since = now
        gone = now - self._empty_since
        if self.wait_s is not None and gone >= self.wait_s:
            return ZebenchError(
                f"every Dask worker left {self.scheduler} and none came back within {self.wait_s:g} s; "
                f"{waiting_runs} run(s) were not started",
                hint="start workers, then finish the batch with zebench bench --resume BATCH_ID",
            )
        if self._announced is None or now - self._announced >= STATUS_EVERY_S:
            self.status(f"no Dask worker connected to {self.scheduler}; {waiting_runs} run(s) waiting")
            self._announced = now
        return None
