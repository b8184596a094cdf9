"""``get_batch``: one index-driven fetch of the batch's runs, aggregated in Python.

A batch is small next to the runs table (hundreds of runs), and its detail lists every run anyway,
so the summary and the per-scenario, per-tier and per-agent/model breakdowns are computed from
that one fetch instead of four more grouped queries over the same rows. The figures go through
``stats_from_row`` like the SQL ones (the same labels, the same finishing arithmetic), and the
groups are ordered as the database's ORDER BY would order them, NULLs included, so the result
is the one the grouped queries gave. Only the per-evaluator breakdown stays in SQL (it needs the
evaluations rows), plus the evaluations themselves when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from zebench.errors import NotFoundError
from zebench.results.ranges import clamp_cost, clamp_score
from zebench.store import schema
from zebench.store.aggregates import EVALUATION_STATS, RUN_STATS, stats_from_row
from zebench.store.codec import SUMMARY_COLUMNS, control_from_row, evaluation_brief, summary_from_row
from zebench.store.plans import BATCH_INDEX, use_index
from zebench.store.queries import BatchDetail, BreakdownRow, EvaluationBrief
from zebench.store.reports import batch_summary, breakdown

runs = schema.runs
evaluations = schema.evaluations
_STATUS_INDEX = {status: i for i, status in enumerate(RUN_STATS.statuses)}


def aggregate(rows: Iterable[Mapping[Any, Any]]) -> dict[str, Any]:
    """The ``stat_columns(RUN_STATS)`` labels (and ``last_completed_at``) over ``rows``, in Python.

    SQL semantics throughout: a SUM over no non-NULL value is NULL, COUNT(col) skips NULLs, and
    the float sums add in row order (the order SQLite reads the batch index in). Scores and costs
    are clamped into their ranges, as ``RUN_STATS`` reads them.
    """
    n = successes = scored = timed = costed = judged = tokens_in = tokens_out = duration = 0
    total = total_sq = cost = judge = 0.0
    lo: float | None = None
    hi: float | None = None
    last = None
    statuses = [0] * len(RUN_STATS.statuses)
    for r in rows:
        n += 1
        successes += bool(r["is_successful"])
        score = clamp_score(r["total_score"])
        if score is not None:
            scored += 1
            total += score
            total_sq += score * score
            lo = score if lo is None or score < lo else lo
            hi = score if hi is None or score > hi else hi
        if r["duration_ms"] is not None:
            timed += 1
            duration += r["duration_ms"]
        run_cost, judge_cost = clamp_cost(r["cost_usd"]), clamp_cost(r["judge_cost_usd"])
        if run_cost is not None:
            costed += 1
            cost += run_cost
        if judge_cost is not None:
            judged += 1
            judge += judge_cost
        tokens_in += r["tokens_in"] or 0
        tokens_out += r["tokens_out"] or 0
        index = _STATUS_INDEX.get(r["status"])
        if index is not None:
            statuses[index] += 1
        done = r["completed_at"]
        if done is not None and (last is None or done > last):
            last = done
    out: dict[str, Any] = {
        "agg_n": n,
        "agg_successes": successes,
        "agg_scored": scored,
        "agg_sum": total if scored else None,
        "agg_sumsq": total_sq if scored else None,
        "agg_min": lo,
        "agg_max": hi,
        "agg_duration_sum": duration if timed else None,
        "agg_duration_n": timed,
        "agg_cost": cost if costed else None,
        "agg_costed": costed,
        "agg_tokens_in": tokens_in,
        "agg_tokens_out": tokens_out,
        "agg_judge_cost": judge if judged else None,
        "last_completed_at": last,
    }
    out.update({f"agg_status_{i}": count for i, count in enumerate(statuses)})
    return out


def _order(nulls_first: bool) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    # ORDER BY key ASC: SQLite puts NULLs first, PostgreSQL last; strings compare by code point
    # on both (SQLite's BINARY collation; the store's PostgreSQL databases use C collation).
    def key(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            ((v is not None) if nulls_first else (v is None), "" if v is None else v) for v in values
        )

    return key


def group_rows(
    rows: Sequence[Mapping[Any, Any]], names: Sequence[str], *, nulls_first: bool
) -> list[BreakdownRow]:
    """One BreakdownRow per distinct value of the ``names`` columns, ordered like ORDER BY them."""
    groups: dict[tuple[Any, ...], list[Mapping[Any, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[name] for name in names), []).append(r)
    return [
        BreakdownRow(
            key=dict(zip(names, key, strict=True)), **stats_from_row(aggregate(groups[key]), RUN_STATS)
        )
        for key in sorted(groups, key=_order(nulls_first))
    ]


def _evaluations(conn: Connection, batch_id: str) -> dict[str, list[EvaluationBrief]]:
    """Every evaluation of the batch's runs, per run, in the evaluators' order (one query)."""
    e = evaluations.c
    in_batch = select(runs.c.run_id).where(runs.c.batch_id == batch_id)
    query = (
        select(e.run_id, e.name, e.status, e.score, e.passed, e.summary)
        .where(e.run_id.in_(use_index(in_batch, BATCH_INDEX).scalar_subquery()))
        .order_by(e.id)
    )
    out: dict[str, list[EvaluationBrief]] = {}
    for row in conn.execute(query).mappings():
        out.setdefault(row["run_id"], []).append(evaluation_brief(row))
    return out


def get_batch(conn: Connection, batch_id: str, *, with_evaluations: bool = False) -> BatchDetail:
    """The batch with its runs, aggregates, breakdowns, failed runs and controls.

    Queries: the batch row, its runs (through the batch index), the per-evaluator breakdown, the
    controls, and with ``with_evaluations`` one more for every run's evaluations.
    """
    batches = schema.batches
    batch = conn.execute(select(batches).where(batches.c.batch_id == batch_id)).mappings().first()
    if batch is None:
        raise NotFoundError(f"batch {batch_id!r} not found", hint="list batches with `zebench batches`")
    in_batch = [runs.c.batch_id == batch_id]
    run_query = (
        select(*SUMMARY_COLUMNS, runs.c.judge_cost_usd)
        .where(*in_batch)
        .order_by(runs.c.started_at, runs.c.run_id)
    )
    rows = conn.execute(use_index(run_query, BATCH_INDEX)).mappings().all()
    briefs = _evaluations(conn, batch_id) if with_evaluations else None
    summaries = [
        summary_from_row(r, briefs.get(r["run_id"], []) if briefs is not None else None) for r in rows
    ]
    controls = conn.execute(
        select(schema.controls)
        .where(schema.controls.c.batch_id == batch_id)
        .order_by(schema.controls.c.suite, schema.controls.c.scenario)
    ).mappings()
    nulls_first = conn.dialect.name != "postgresql"

    def by(*names: str) -> list[BreakdownRow]:
        return group_rows(rows, names, nulls_first=nulls_first)

    return BatchDetail(
        summary=batch_summary(batch, aggregate(rows)),
        runs=summaries,
        by_scenario=by("suite", "scenario"),
        by_tier=by("tier"),
        by_agent_model=by("agent", "model"),
        # The batch's runs drive the join (via the batch index), then their evaluations by run_id.
        by_evaluator=breakdown(
            conn, [("evaluator", evaluations.c.name)], EVALUATION_STATS, in_batch, BATCH_INDEX
        ),
        failed_runs=[s for s in summaries if not s.is_successful],
        controls=[control_from_row(r) for r in controls],
    )
