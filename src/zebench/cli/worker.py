"""``zebench worker``: join a machine to a Dask cluster that runs zebench batches.

A thin wrapper over ``dask worker``: it adds the ``zebench_run`` resource, which is how the
``--executor dask`` client limits runs per worker (each run asks for ``zebench_run=1``), and
preloads what a run imports (``zebench.runner.dask_preload``) as the worker starts. The
machine needs zebench installed (``pip install zebench``) and network access to the scheduler
and to the results store URL; scenarios are shipped with each task, so no shared folder is needed.

    dask scheduler --port 8786                           # once, on any machine
    zebench worker tcp://SCHEDULER:8786 --runs 4         # on every machine that runs benchmarks
    zebench bench --plan exp.yaml --executor dask --scheduler tcp://SCHEDULER:8786 \\
        --db postgresql://user@dbhost/zebench
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Annotated

import typer

from zebench.errors import ZebenchError


def worker_argv(
    scheduler: str, *, runs: int, nthreads: int | None, host: str | None, name: str | None
) -> list[str]:
    """The ``dask worker`` command line for a zebench worker."""
    from zebench.runner.dask_tasks import RESOURCE  # not at import time: it loads the whole runner

    dask = shutil.which("dask")
    argv = [dask] if dask else [sys.executable, "-m", "distributed.cli.dask_worker"]
    if dask:
        argv.append("worker")
    argv += [
        scheduler,
        "--resources",
        f"{RESOURCE}={runs}",
        "--nthreads",
        str(nthreads or runs),
        "--no-dashboard",
        # Imports a run needs, paid when the worker starts rather than in its first batch.
        "--preload",
        "zebench.runner.dask_preload",
    ]
    if host:
        argv += ["--host", host]
    if name:
        argv += ["--name", name]
    return argv


def worker(
    scheduler: Annotated[str, typer.Argument(help="Scheduler address, tcp://HOST:8786.")],
    runs: Annotated[
        int, typer.Option("--runs", min=1, help="Runs this machine takes at a time (zebench_run=N).")
    ] = 2,
    nthreads: Annotated[
        int | None, typer.Option("--nthreads", min=1, help="Dask threads (default: --runs).")
    ] = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Worker name shown by the scheduler.")] = None,
) -> None:
    """Join a Dask cluster as a zebench worker (wraps `dask worker --resources zebench_run=N`)."""
    argv = worker_argv(scheduler, runs=runs, nthreads=nthreads, host=host, name=name)
    try:
        os.execvp(argv[0], argv)  # the worker replaces this process: signals reach Dask directly
    except OSError as exc:
        raise ZebenchError(
            f"cannot start dask worker: {exc}", hint="pip install 'dask[distributed]'"
        ) from exc
