"""Benchmark the results API at 100,000 runs on SQLite.

Seeds a fresh SQLite file through the store's bulk save, serves the app in-process (FastAPI
TestClient, so the timings include routing, validation and JSON rendering but no network), then
times every list and aggregate endpoint with varied filters and cursors and prints p50/p95 per
endpoint, plus the ingest rate of ``POST /api/results``. Target: p95 < 50 ms for every list and
aggregate endpoint.

    python benchmarks/api.py [--runs 100000] [--requests 60] [--db PATH [--reuse]]

``--reuse`` keeps an already seeded ``--db`` (migrating it first), to iterate on the read side.
Store-level timings (the same calls without HTTP) follow the endpoint table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

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
    parser.add_argument("--ingest", type=int, default=1_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="keep an existing --db instead of reseeding")
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

    rng2 = random.Random(99)
    first = args.runs + (store.stats().runs - args.runs if reuse else 0)  # fresh run ids on reuse too
    payloads = [to_wire(make_run(first + i, rng2, args.batches)) for i in range(args.ingest)]
    t = time.perf_counter()
    for body in payloads:
        r = client.post("/api/results", json=body)
        assert r.status_code == 201, r.text[:200]
    elapsed = time.perf_counter() - t
    print(
        f"\ningest: {args.ingest} runs via POST /api/results in {elapsed:.2f}s = {args.ingest / elapsed:,.0f} runs/s"
    )
    print("all list/aggregate endpoints within target" if not slow else f"SLOW: {', '.join(slow)}")
    client.close()
    store.close()


if __name__ == "__main__":
    main()
