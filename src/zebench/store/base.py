"""The repository interface in front of every results store (SQLite, PostgreSQL, a remote server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from zebench.results.models import BatchRecord, ControlResult, RunRecord
from zebench.store.queries import (
    BatchDetail,
    BatchPage,
    BreakdownRow,
    CostKindCount,
    GlobalStats,
    IdKind,
    IdMatches,
    RunFilters,
    RunPage,
    RunSort,
    ScenarioLevel,
)


class ResultStore(Protocol):
    """Stores runs and answers queries about them. Every write is one transaction."""

    def save_batch(self, batch: BatchRecord) -> None:
        """Create the batch, or update its metadata and completed_at if it exists."""

    def save_run(self, run: RunRecord) -> None:
        """Insert or replace a run with its evaluations, telemetry and artifacts, atomically."""

    def save_runs(self, runs: Sequence[RunRecord]) -> None:
        """What repeated ``save_run`` would do (the last record of a repeated run id wins), in one
        transaction per call on a database and one bulk request per chunk on a results server."""

    def save_control(self, batch_id: str, control: ControlResult) -> None:
        """Store a warmup (control) result for a batch and scenario, replacing an older one."""

    def get_run(self, run_id: str) -> RunRecord:
        """The full run; raises NotFoundError. Artifacts are not loaded (see get_artifact)."""

    def get_artifact(self, run_id: str, name: str) -> str:
        """A decompressed artifact text; raises NotFoundError."""

    def artifact_names(self, run_id: str) -> list[str]: ...

    def list_runs(
        self,
        filters: RunFilters | None = None,
        *,
        limit: int = 50,
        cursor: str | None = None,
        sort: RunSort = "-started_at",
    ) -> RunPage: ...

    def match_ids(self, kind: IdKind, query: str, *, limit: int = 10) -> IdMatches:
        """The stored ids of ``kind`` that are ``query``, or start or end with it (newest first)."""

    def resolve_id(self, kind: IdKind, text: str) -> str:
        """The one stored id ``text`` is, or starts or ends; raises NotFoundError, or
        AmbiguousIdError naming the candidates (``zebench.store.ids.resolved_id``)."""

    def get_controls(self, batch_id: str) -> list[ControlResult]:
        """The batch's warmup (control) results, one per scenario; empty for an unknown batch."""

    def get_run_fingerprint(self, run_id: str) -> tuple[str, str | None] | None:
        """(status, the results API's payload hash or None when unknown) of a stored run; None if absent.

        What a duplicate check needs, without loading the run.
        """

    def get_run_fingerprints(self, run_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """``get_run_fingerprint`` of each stored run among ``run_ids`` (absent runs left out)."""

    def get_batch(self, batch_id: str, *, with_evaluations: bool = False) -> BatchDetail:
        """The batch with runs, aggregates and breakdowns; raises NotFoundError.

        ``with_evaluations`` also fills each run's ``evaluations`` (name, status, score, passed).
        """

    def batch_fingerprint(self, batch_id: str) -> str:
        """A cheap hash that changes when a run of the batch is added, ends or gets scored, or the
        batch completes; raises NotFoundError. For live refresh."""

    def list_batches(self, *, limit: int = 20, cursor: str | None = None) -> BatchPage: ...

    def stats(self, filters: RunFilters | None = None) -> GlobalStats: ...

    def agent_stats(self) -> list[BreakdownRow]:
        """Aggregates per agent/model pair."""

    def scenario_stats(
        self, filters: RunFilters | None = None, *, per: ScenarioLevel = "scenario"
    ) -> list[BreakdownRow]:
        """Aggregates per (suite, scenario, tier) over the runs matching ``filters``, sorted by key;
        per suite alone with ``per="suite"``."""

    def evaluator_stats(self) -> list[BreakdownRow]: ...

    def close(self) -> None: ...


@runtime_checkable
class CostKindReader(Protocol):
    """A store that can say how each run's cost was obtained (a database; not a results server)."""

    def cost_kind_counts(self) -> list[CostKindCount]:
        """Runs per agent/model pair and cost kind: ``measured`` (reported by the provider, or no
        model was called), ``estimated`` (tokens × the price table), ``unknown`` (no price) or
        ``unrecorded`` (a cost stored without its kind)."""
