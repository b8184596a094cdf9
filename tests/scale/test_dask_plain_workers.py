"""``zebench bench --executor dask`` against clusters users actually start: never a silent hang.

Plain ``dask worker`` processes run the batch; a worker that cannot run zebench stops it within
seconds in one line; with no worker the CLI says so and waits, or gives up after --dask-wait.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from dask_helpers import BLOCK_ZEBENCH, DASK, ZEBENCH, cli_env, dask_processes

from zebench.runner.dask_cluster import describe_remote_error, plan_resources
from zebench.runner.dask_tasks import RESOURCE
from zebench.store import open_store

pytestmark = pytest.mark.skipif(
    DASK is None, reason="dask CLI not installed (pip install 'zebench[distributed]')"
)
# Longer than a loaded machine needs to start the CLI and check the workers; _bench allows more.
LONG_WAIT_S = 120
BENCH = ["bench", "examples", "fix-failing-tests", "--agent", "oracle", "--executor", "dask"]


def _bench(tmp_path: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZEBENCH, *BENCH, *args],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_plain_dask_workers_run_a_six_run_batch(tmp_path: Path) -> None:
    with dask_processes(tmp_path) as cluster:
        cluster.worker("--nthreads", "2")
        cluster.worker("--nthreads", "1")
        cluster.wait_for_workers(2)
        proc = _bench(
            tmp_path, "--scheduler", cluster.address, "--iterations", "6", "--batch-id", "plain", "--json"
        )
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert len(runs) == 6 and all(r["is_successful"] for r in runs)
    assert "plain dask workers" in proc.stderr and "3 in all" in proc.stderr
    assert "Traceback" not in proc.stderr
    with open_store(f"sqlite:///{tmp_path / 'results' / 'zebench.db'}") as store:
        detail = store.get_batch("plain")
    assert detail.summary.runs == 6 and detail.summary.successes == 6
    assert len({r["metadata"]["worker"] for r in runs}) == 2  # both plain workers took runs


def test_a_zebench_worker_has_what_a_run_imports_loaded_before_its_first_task(tmp_path: Path) -> None:
    from distributed import Client

    from zebench.runner.dask_preload import MODULES

    with dask_processes(tmp_path) as cluster:
        cluster._start([*ZEBENCH, "worker", cluster.address, "--runs", "1", "--host", "127.0.0.1"])
        cluster.wait_for_workers(1)
        with Client(cluster.address, timeout="60s") as client:
            # eval travels by reference: the question is asked in the worker's own process.
            loaded = client.run(eval, f"sorted(set({list(MODULES)!r}) & set(__import__('sys').modules))")
            resources = [w["resources"] for w in client.scheduler_info()["workers"].values()]
    assert list(loaded.values()) == [sorted(MODULES)]
    assert resources == [{RESOURCE: 1}]


def test_a_worker_without_zebench_stops_the_batch_in_one_line(tmp_path: Path) -> None:
    preload = tmp_path / "no_zebench.py"
    preload.write_text(BLOCK_ZEBENCH)
    with dask_processes(tmp_path) as cluster:
        cluster.worker("--preload", str(preload))
        cluster.wait_for_workers(1)
        started = time.monotonic()
        proc = _bench(tmp_path, "--scheduler", cluster.address, "--dask-wait", str(LONG_WAIT_S))
        elapsed = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    # The worker check stopped the batch, not the wait: it gave up long before --dask-wait ran out
    # (a bound tied to the setting, not a timing: the machine's load cannot make this flaky).
    assert elapsed < LONG_WAIT_S, f"took {elapsed:.1f} s: it waited out --dask-wait"
    assert "no Dask worker joined" not in proc.stderr
    errors = _errors(proc.stderr)
    assert len(errors) == 1, proc.stderr
    assert "cannot run zebench tasks (ModuleNotFoundError: No module named 'zebench')" in errors[0]
    assert "install zebench" in errors[0] and "Traceback" not in proc.stderr


def test_no_worker_gives_up_after_dask_wait(tmp_path: Path) -> None:
    with dask_processes(tmp_path) as cluster:
        started = time.monotonic()
        proc = _bench(tmp_path, "--scheduler", cluster.address, "--dask-wait", "2")
        elapsed = time.monotonic() - started
    assert proc.returncode == 2, proc.stderr
    # It waited as long as asked and then gave up by itself (_bench's timeout catches a hang).
    assert elapsed >= 2, f"gave up after {elapsed:.1f} s, before --dask-wait 2"
    assert "waiting for a Dask worker" in proc.stderr
    errors = _errors(proc.stderr)
    assert len(errors) == 1 and "no Dask worker joined" in errors[0] and "within 2 s" in errors[0]


def test_no_worker_keeps_waiting_visibly_until_one_joins(tmp_path: Path) -> None:
    with dask_processes(tmp_path) as cluster:
        err = (tmp_path / "bench.err").open("w+")
        bench = subprocess.Popen(
            [*ZEBENCH, *BENCH, "--scheduler", cluster.address, "--json"],
            cwd=tmp_path,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "waiting for a Dask worker" not in (tmp_path / "bench.err").read_text():
                assert bench.poll() is None, (tmp_path / "bench.err").read_text()
                assert time.monotonic() < deadline, "no waiting status was shown"
                time.sleep(0.2)
            cluster.worker("--nthreads", "1")
            out, _ = bench.communicate(timeout=120)
        finally:
            if bench.poll() is None:
                bench.kill()
            err.close()
    stderr = (tmp_path / "bench.err").read_text()
    assert bench.returncode == 0, stderr
    assert json.loads(out)["is_successful"] is True


def test_errors_from_workers_read_as_kind_and_message() -> None:
    wrapped = Exception(repr(ModuleNotFoundError("No module named 'zebench'")))
    assert describe_remote_error(wrapped) == "ModuleNotFoundError: No module named 'zebench'"
    assert describe_remote_error(OSError("disk full")) == "OSError: disk full"


def test_resource_plan_prefers_zebench_workers_and_names_idle_plain_ones() -> None:
    workers = {
        "tcp://a:1": {"nthreads": 4, "resources": {RESOURCE: 2}},
        "tcp://b:1": {"nthreads": 8, "resources": {}},
    }
    plan = plan_resources(workers)
    assert plan.resources == {RESOURCE: 1} and plan.slots == 2 and plan.workers == ["tcp://a:1"]
    assert any("1 plain dask worker(s)" in note for note in plan.notes)
    plain = plan_resources({"tcp://b:1": {"nthreads": 8}, "tcp://c:1": {"nthreads": 2}})
    assert plain.resources is None and plain.slots == 10
