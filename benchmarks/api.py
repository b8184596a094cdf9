"""Benchmark the results API at 100,000 runs on SQLite: reads, then ingest.

Seeds a fresh SQLite file through the store's bulk save, serves the app in-process (FastAPI
TestClient, so the timings include routing, validation and JSON rendering but no network), then
times every list and aggregate endpoint with varied filters and cursors and prints p50/p95 per
endpoint. Target: p95 < 50 ms for every list and aggregate endpoint. Store-level timings (the same
calls without HTTP) follow the endpoint table.

Then ingest: a real ``zebench serve`` process on the same database takes ``--ingest`` realistic
runs (~60 KB each, see ``ingest_bench``), half through ``POST /api/results`` one by one and half
through ``POST /api/results:batch`` in chunks of ``--chunk``. Goal: bulk ≥ 500 runs/s.

    python benchmarks/api.py [--runs 100000] [--requests 60] [--ingest 2000] [--chunk 100]
                             [--db PATH [--reuse]] [--skip-reads] [--pg [URL] [--pg-runs 10000]]

``--reuse`` keeps an already seeded ``--db`` (migrating it first), to iterate on the read side.
``--pg`` repeats the ingest on PostgreSQL: a throwaway cluster (tests/pg.py, fsync off) seeded
with ``--pg-runs`` runs, or a fresh database on the server at URL.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from ingest_bench import measure_ingest, postgres, print_ingest, realistic

from zebench.client.wire import to_wire
from zebench.results import EvaluationResult, RunRecord, RunStatus, Telemetry, TokenUsage
from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore, open_store
from zebench.store.queries import RunFilters

SUITES = [f"suite{i}" for i in range(5)]
SCENARIOS = [f"scenario{i}" for i in range(10)]
TIERS = ["L0", "L1", "L2"]
AGENTS = [("claude-code", "sonnet"), ("claude-code", "opus"), ("openai", "gpt-5"), ("echo", None)]
STATUSES = [RunStatus.COMPLETED] * 8 + [RunStatus.FAILED, RunStatus.TIMED_OUT]
EVALUATORS = ["install", "tests", "llm_judge"]
STORE_FILTERS: list[dict[str, Any]] = [
    {"agent": "claude-code"},
    {"agent": "claude-code", "model": "opus"},
    {"suite": "suite2", "scenario": "scenario3"},
    {"status": RunStatus.FAILED},
    {"successful": True},
    {"specialist": "nx-expert"},
    {"specialist": "none", "tier": "L1"},
    {"batch_id": "batch_0042"},
]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def make_run(i: int, rng: random.Random, batches: int) -> RunRecord:
    agent, model = AGENTS[i % len(AGENTS)]
    status = rng.choice(STATUSES)
    score = round(rng.random(), 3) if status == RunStatus.COMPLETED else None
    return RunRecord(
        run_id=f"run_{i:07d}",
        batch_id=f"batch_{i % batches:04d}",
        suite=SUITES[i % len(SUITES)],
        scenario=SCENARIOS[(i // 5) % len(SCENARIOS)],
        tier=TIERS[i % 3],
        agent=agent,
        model=model,
        status=status,
        reason=None if status == RunStatus.COMPLETED else "agent crashed",
        started_at=T0 + timedelta(seconds=30 * i),
        completed_at=T0 + timedelta(seconds=30 * i + 20),
        total_score=score,
        is_successful=score is not None and score >= 0.7,
        specialist_name="nx-expert" if i % 7 == 0 else None,
        evaluations=[
            EvaluationResult(name=n, score=score, passed=bool(score and score > 0.5)) for n in EVALUATORS
        ],
        telemetry=Telemetry(
            duration_ms=rng.randint(1_000, 600_000),
            tool_calls=rng.randint(0, 80),
            tokens=TokenUsage(input=rng.randint(100, 90_000), output=rng.randint(10, 9_000)),
            cost_usd=None if agent == "echo" else round(rng.random(), 4),
        ),
    )


def seed(store: SqlStore, runs: int, batches: int) -> float:
    rng = random.Random(42)
    started = time.perf_counter()
    chunk = 5_000
    for lo in range(0, runs, chunk):
        store.save_runs([make_run(i, rng, batches) for i in range(lo, min(lo + chunk, runs))])
    return time.perf_counter() - started


def timed(n: int, call: Callable[[int], Any]) -> list[float]:
    call(0)  # warm caches and statement compilation; not measured
    out = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--ingest", type=int, default=2_000, help="runs to ingest, half single, half bulk")
    parser.add_argument("--chunk", type=int, default=100, help="runs per bulk request")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing --db instead of reseeding")
    parser.add_argument("--skip-reads", action="store_true", help="seed, then measure ingest only")
    parser.add_argument(
        "--pg", nargs="?", const="", default=None, metavar="URL", help="ingest on PostgreSQL too"
    )
    parser.add_argument("--pg-runs", type=int, default=10_000, help="runs seeded into PostgreSQL first")
    args = parser.parse_args()

    db = args.db or Path(tempfile.mkdtemp(prefix="zebench-bench-")) / "bench.db"
    if db.exists() and not args.reuse:
        db.unlink()
    reuse = db.exists()
    store = open_store(f"sqlite:///{db}")
    if reuse:
        print(f"reusing {db} ({store.stats().runs} runs)")
    else:
        seconds = seed(store, args.runs, args.batches)
        print(
            f"seeded {args.runs} runs in {args.batches} batches in {seconds:.1f}s"
            f" ({args.runs / seconds:,.0f} runs/s) -> {db}"
        )

    slow = [] if args.skip_reads else time_reads(store, args)
    first = max(args.runs, store.stats().runs)  # fresh run ids, on a reused database too
    store.close()
    rng2 = random.Random(99)
    payloads = [realistic(make_run(first + i, rng2, args.batches), rng2) for i in range(args.ingest)]
    rows = measure_ingest("SQLite", f"sqlite:///{db}", payloads, args.chunk)
    if args.pg is not None:
        with postgres(args.pg or None) as pg_url:
            pg_store = open_store(pg_url)
            seconds = seed(pg_store, args.pg_runs, args.batches)
            pg_store.close()
            print(f"seeded {args.pg_runs} runs into PostgreSQL in {seconds:.1f}s")
            rows += measure_ingest("PostgreSQL", pg_url, payloads, args.chunk)
    body_kb = statistics.mean(len(json.dumps(to_wire(p))) for p in payloads[:50]) / 1024
    print_ingest(rows, body_kb)
    if not args.skip_reads:
        print("all list/aggregate endpoints within target" if not slow else f"SLOW: {', '.join(slow)}")


def time_reads(store: SqlStore, args: argparse.Namespace) -> list[str]:
    """Time every list and aggregate endpoint and the store calls behind them; the slow endpoints."""
    client = TestClient(create_app(store, ServerSettings()))
    rng = random.Random(7)
    n = args.requests

    def get(path: str, params: dict[str, Any] | None = None) -> Any:
        r = client.get(path, params=params)
        assert r.status_code == 200, (path, params, r.status_code, r.text[:200])
        return r.json()

    filters: list[dict[str, Any]] = [
        {},
        {"agent": "claude-code"},
        {"agent": "claude-code", "model": "opus"},
        {"suite": "suite2", "scenario": "scenario3"},
        {"status": "failed"},
        {"successful": "true"},
        {"specialist": "nx-expert"},
        {"specialist": "none", "tier": "L1"},
        {"batchId": "batch_0042"},
    ]
    sorts = ["-startedAt", "startedAt", "-totalScore", "totalScore", "-durationMs", "costUsd", "-costUsd"]

    cursors: dict[str, list[str]] = {}
    for sort in sorts:  # real cursors, several pages deep, to page from
        params: dict[str, Any] = {"sort": sort, "limit": 50}
        found: list[str] = []
        for _ in range(5):
            page = get("/api/runs", params)
            if not page["nextCursor"]:
                break
            found.append(page["nextCursor"])
            params = {**params, "cursor": page["nextCursor"]}
        cursors[sort] = found

    batch_cursor = get("/api/batches", {"limit": 20})["nextCursor"]
    scenarios: dict[str, Callable[[int], Any]] = {
        "GET /api/runs (default)": lambda i: get("/api/runs"),
        "GET /api/runs (filters)": lambda i: get("/api/runs", filters[i % len(filters)]),
        "GET /api/runs (sorts)": lambda i: get("/api/runs", {"sort": sorts[i % len(sorts)]}),
        "GET /api/runs (filter+sort)": lambda i: get(
            "/api/runs", {**filters[i % len(filters)], "sort": sorts[(i // len(filters)) % len(sorts)]}
        ),
        "GET /api/runs (cursor pages)": lambda i: get(
            "/api/runs",
            {"sort": (s := sorts[i % len(sorts)]), "cursor": rng.choice(cursors[s]), "limit": 50},
        ),
        "GET /api/runs (limit=500)": lambda i: get("/api/runs", {"limit": 500, **filters[i % 3]}),
        "GET /api/runs/{id}": lambda i: get(f"/api/runs/run_{rng.randrange(args.runs):07d}"),
        "GET /api/batches": lambda i: get("/api/batches", {"cursor": batch_cursor} if i % 2 else None),
        "GET /api/batches/{id}": lambda i: get(f"/api/batches/batch_{rng.randrange(args.batches):04d}"),
        "GET /api/batches/{id}?withEvals": lambda i: get(
            f"/api/batches/batch_{rng.randrange(args.batches):04d}", {"withEvaluations": "true"}
        ),
        "GET /api/batches/{id}/fingerprint": lambda i: get(
            f"/api/batches/batch_{rng.randrange(args.batches):04d}/fingerprint"
        ),
        "GET /api/stats": lambda i: get("/api/stats"),
        "GET /api/stats (filters)": lambda i: get("/api/stats", filters[1 + i % (len(filters) - 1)]),
        "GET /api/stats/agents": lambda i: get("/api/stats/agents"),
        "GET /api/stats/evaluators": lambda i: get("/api/stats/evaluators"),
        "GET /api/stats/scenarios": lambda i: get("/api/stats/scenarios", filters[i % (len(filters) - 1)]),
        "GET /api/stats/costs": lambda i: get("/api/stats/costs"),
    }

    print(f"\n{'endpoint':34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95<50ms")
    slow = []
    for name, call in scenarios.items():
        samples = timed(n, call)
        p50 = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[18]
        ok = p95 < 50
        if not ok:
            slow.append(name)
        print(f"{name:34} {n:>4} {p50:8.1f} {p95:8.1f} {max(samples):8.1f}  {'ok' if ok else 'SLOW'}")

    store_calls: dict[str, Callable[[int], Any]] = {
        "store.stats()": lambda i: store.stats(),
        "store.stats(filters)": lambda i: store.stats(RunFilters(**STORE_FILTERS[i % len(STORE_FILTERS)])),
        "store.agent_stats()": lambda i: store.agent_stats(),
        "store.evaluator_stats()": lambda i: store.evaluator_stats(),
        "store.list_runs(filters)": lambda i: store.list_runs(
            RunFilters(**STORE_FILTERS[i % len(STORE_FILTERS)])
        ),
        "store.list_batches()": lambda i: store.list_batches(),
        "store.get_batch()": lambda i: store.get_batch(f"batch_{rng.randrange(args.batches):04d}"),
        "store.scenario_stats()": lambda i: store.scenario_stats(),
        "store.batch_fingerprint()": lambda i: store.batch_fingerprint(
            f"batch_{rng.randrange(args.batches):04d}"
        ),
        "store.get_run_fingerprint()": lambda i: store.get_run_fingerprint(
            f"run_{rng.randrange(args.runs):07d}"
        ),
    }
    print(f"\n{'store call':34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, call in store_calls.items():
        samples = timed(n, call)
        p50, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
        print(f"{name:34} {n:>4} {p50:8.1f} {p95:8.1f} {max(samples):8.1f}")

    client.close()
    return slow


if __name__ == "__main__":
    main()
