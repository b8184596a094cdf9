"""Running a planned ``zebench bench`` batch: its run specs, its agents checked before any work, the
executor, and the batch itself with progress, limiters and its figures stored.

Imported by ``bench`` only once it runs (under ``collector_paused``): it loads the runner and the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zebench.agents import create_agent
from zebench.cli.agents import prepare_agent
from zebench.cli.bench_options import BenchFlags
from zebench.cli.bench_plan import BatchPlan
from zebench.cli.bench_specialist import with_specialist
from zebench.cli.context import err_console
from zebench.cli.context_options import context_warning
from zebench.cli.isolation import workspace_limit_flags
from zebench.cli.progress_view import LIMITER_PREFIX, RichProgress
from zebench.cli.sinks import open_sink
from zebench.errors import ZebenchError
from zebench.results.models import ControlResult, RunRecord
from zebench.runner import run_batch
from zebench.runner.limiter import ProviderLimiters
from zebench.runner.plan import build_specs
from zebench.runner.resume import figures_from_records

if TYPE_CHECKING:
    from zebench.commands.runner import CommandRunner
    from zebench.runner.batch import BatchOutcome
    from zebench.runner.executors import Executor
    from zebench.runner.pipeline import RunSpec
    from zebench.scenarios.model import Scenario


@dataclass
class BatchResult:
    """A finished batch as the command reports it: the outcome, the runs, their controls, the figures."""

    outcome: BatchOutcome
    records: list[RunRecord]
    controls: dict[tuple[str, str], ControlResult]  # by (suite, scenario): one control per scenario
    figures: dict[str, Any] | None


def batch_specs(flags: BenchFlags, planned: BatchPlan) -> list[RunSpec]:
    """One spec per slot to run, as a specialist when ``--specialist`` says so."""
    specs = build_specs(
        planned.plan,
        planned.todo,
        planned.batch,
        workspace_root=flags.workspace_root,
        keep_workspace=flags.keep_workspace,
        workspace_limits=workspace_limit_flags(flags.max_workspace_files, flags.max_workspace_bytes),
    )
    if flags.specialist:
        specs = with_specialist(
            specs, flags.specialist, templates_dir=flags.templates_dir, agent=flags.agent, model=flags.model
        )
    return specs


def check_agents(specs: list[RunSpec], *, quiet: bool) -> None:
    """Build each distinct agent once: a missing key or binary is one line before any work."""
    distinct = {(spec.agent, spec.options.model_dump_json()): spec for spec in specs}
    for spec in distinct.values():
        built = create_agent(spec.agent, spec.options)
        prepare_agent(built, quiet=quiet)
        if (ignored := context_warning(built, spec.options)) is not None:
            err_console.print(f"[yellow]warning:[/yellow] {ignored}")


def make_executor(flags: BenchFlags) -> Executor:
    """The ``--executor``: local threads, or a Dask cluster (which needs ``--scheduler``)."""
    from zebench.runner.executors import LocalExecutor

    if flags.executor_kind == "local":
        return LocalExecutor(flags.parallel)
    if flags.executor_kind == "dask":
        if not flags.scheduler:
            raise ZebenchError("--executor dask needs --scheduler", hint="e.g. --scheduler tcp://HOST:8786")
        from zebench.runner.dask_executor import DaskExecutor

        return DaskExecutor(
            flags.scheduler,
            _store_url(flags.db),
            wait_s=flags.dask_wait,
            sandbox=flags.sandbox,
            offline=flags.offline,
            status=lambda message: err_console.print(f"[cyan]dask:[/cyan] {message}", highlight=False),
        )
    raise ZebenchError(
        f"unknown executor {flags.executor_kind!r}", field="--executor", hint="use local or dask"
    )


def run_planned_batch(
    flags: BenchFlags,
    planned: BatchPlan,
    specs: list[RunSpec],
    executor: Executor,
    runner_factory: Callable[[Scenario], CommandRunner],
) -> BatchResult:
    """Run the specs into the store with a progress view, then store the batch's figures."""
    quiet = flags.as_json
    with (
        open_sink(flags.db, console=err_console) as sink,
        _prepared(executor),
        RichProgress(
            err_console, len(specs), enabled=not quiet and err_console.is_terminal, lines=not quiet
        ) as progress,
    ):
        limiters = ProviderLimiters(
            flags.parallel, on_wait=lambda p, msg: progress.event(LIMITER_PREFIX + p, msg)
        )
        outcome = run_batch(
            planned.batch,
            specs,
            sink,
            skip_warmup=flags.skip_warmup,
            metadata=planned.metadata,
            progress=progress,
            workspace_root=flags.workspace_root,
            parallel=flags.parallel,
            executor=executor,
            limiters=limiters,
            runner_factory=runner_factory,
        )
        # A fresh batch's figures come from its records; a resumed one needs every attempt stored.
        figures = (
            _figures(flags.db, planned.batch)
            if planned.resumed
            else figures_from_records(planned.batch, outcome.runs)
        )
        if figures is not None:
            outcome.batch.metadata["figures"] = figures
            sink.save_batch(outcome.batch)
    # Each run is shown beside its own scenario's control (a batch holds one per scenario).
    controls = {(c.suite, c.scenario): c for c in outcome.controls or progress.controls}
    return BatchResult(outcome, outcome.runs or progress.finished, controls, figures)


def _store_url(db: str | None) -> str:
    """The store URL workers can reach: a relative SQLite path made absolute."""
    from zebench.store import default_db_url

    url = db or default_db_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    return url


@contextmanager
def _prepared(executor: Executor) -> Iterator[None]:
    """Check a cluster executor before the batch starts (after the store exists), close it after."""
    preflight = getattr(executor, "preflight", None)
    if callable(preflight):
        preflight()
    try:
        yield
    finally:
        close = getattr(executor, "close", None)
        if callable(close):
            close()


def _figures(db: str | None, batch: str) -> dict[str, Any] | None:
    """First-attempt and final figures, read back from the store (None with a remote sink)."""
    from zebench.cli.context import remote_url
    from zebench.runner.resume import batch_figures, read_batch
    from zebench.store import open_store

    if remote_url(db):
        return None
    with open_store(db) as store:
        return batch_figures(read_batch(store, batch))
