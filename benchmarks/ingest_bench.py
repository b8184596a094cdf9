"""Ingest measurements for ``benchmarks/api.py``: one real ``zebench serve`` process, timed from outside.

The server runs as it would in production (its own process, uvicorn, the write key, access log
on); this process only sends bodies it encoded before the clock started, so the figures are the
server's: HTTP parsing, auth, validation, the duplicate check, compression and the database
transaction. Payloads are realistic runs: a multi-file diff, a 20-turn trajectory with tool
results, validation output and a prompt, about 60 KB of JSON each.
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx2
import psutil

from zebench.client.wire import to_wire
from zebench.results import CommandResult, FileChange, RunRecord
from zebench.results.trajectory import TrajectoryStep

API_KEY = "bench-write-key"
BULK_GOAL = 500.0  # runs/s through POST /api/results:batch on one server process (issue 12)
SINGLE_FLOOR = 100.0  # runs/s through POST /api/results before the bulk work: must not regress
_WORDS = (
    "the", "parser", "returns", "minutes", "where", "the", "caller", "expects", "seconds", "so",
    "every", "duration", "is", "off",
)  # fmt: skip


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _diff(rng: random.Random, files: int) -> str:
    out = []
    for f in range(files):
        path = f"src/pkg/module_{f}.py"
        out.append(
            f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -{10 * f},12 +{10 * f},14 @@\n"
        )
        for k in range(24):
            sign = rng.choice(" +-" if k % 3 else "  ")
            out.append(f"{sign}    value_{k} = compute_{rng.randrange(999)}(arg, scale={rng.random():.3f})\n")
    return "".join(out)


def _trajectory(rng: random.Random, turns: int) -> str:
    steps: list[TrajectoryStep] = []
    for t in range(turns):
        at = 1_750_000_000 + t * 7.5
        steps.append(TrajectoryStep(type="message", at=at, role="assistant", content=_text(rng, 60)))
        path = f"src/pkg/module_{t % 6}.py"
        body = "\n".join(f"{n:4d}  x_{n} = parse(line_{rng.randrange(999)})" for n in range(45))
        steps.append(
            TrajectoryStep(
                type="tool_call",
                at=at + 1,
                name="read_file" if t % 3 else "run_command",
                arguments={"path": path} if t % 3 else {"command": "python -m pytest -q"},
                result=body,
                result_size=len(body),
                duration_ms=rng.randrange(5, 900),
            )
        )
        steps.append(
            TrajectoryStep(type="llm_call", at=at + 2, usage={"input": rng.randrange(9_000), "output": 400})
        )
    return json.dumps([s.model_dump(mode="json", exclude_none=True) for s in steps], ensure_ascii=False)


def realistic(run: RunRecord, rng: random.Random) -> RunRecord:
    """``run`` with what a real run carries: artifacts, validation output, changed files, a prompt."""
    stdout = "." * 120 + "\n" + "\n".join(f"PASSED tests/test_mod.py::test_case_{n}" for n in range(70))
    return run.model_copy(
        update={
            "prompt_sent": _text(rng, 250),
            "artifacts": {
                "diff": _diff(rng, 6),
                "trajectory": _trajectory(rng, 20),
                "agent_output": _text(rng, 150),
            },
            "validation": [
                CommandResult(
                    name="test", kind="test", command="python -m pytest -q", exit_code=0, stdout=stdout
                ),
                CommandResult(name="lint", kind="lint", command="ruff check .", exit_code=0, stdout="ok"),
            ],
            "changed_files": [FileChange(path=f"src/pkg/module_{f}.py", change="modified") for f in range(6)],
        }
    )


@dataclass
class IngestRow:
    """One line of the ingest table."""

    backend: str
    endpoint: str
    runs: int
    seconds: float
    request_ms_p50: float
    cpu_ms_per_run: float  # CPU time of the server process per run: what load on the machine cannot inflate
    load: tuple[float, float]  # 1-minute load average before and after (it includes this benchmark)

    @property
    def rate(self) -> float:
        return self.runs / self.seconds

    @property
    def goal(self) -> float:
        return BULK_GOAL if "batch" in self.endpoint else SINGLE_FLOOR


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(db_url: str) -> Iterator[tuple[str, psutil.Process]]:
    """``zebench serve --db db_url`` in a child process with a write key; yields its URL and process."""
    port = _free_port()
    env = {**os.environ, "ZE_BENCHMARKS_API_KEY": API_KEY}
    argv = [sys.executable, "-m", "zebench", "serve", "--db", db_url, "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    # A file, not a pipe, for the server's log: a full pipe nobody reads would stall the server.
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_healthy(url, proc, log)
            yield url, psutil.Process(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"zebench serve exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("zebench serve did not start within 120 s")
        time.sleep(0.1)


Check = Callable[[httpx2.Response], None]


def _timed_posts(url: str, path: str, bodies: list[bytes], check: Check) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    samples = []
    with httpx2.Client(base_url=url, timeout=300, headers=headers) as client:
        started = time.perf_counter()
        for body in bodies:
            t = time.perf_counter()
            check(client.post(path, content=body))
            samples.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - started
    return elapsed, statistics.median(samples)


def measure_ingest(backend: str, db_url: str, runs: list[RunRecord], chunk: int) -> list[IngestRow]:
    """Ingest the first half of ``runs`` one by one and the second half in chunks, on one server."""
    encoded = [json.dumps(to_wire(r), ensure_ascii=False).encode() for r in runs]
    half = len(encoded) // 2
    single, bulk = encoded[:half], encoded[half:]
    chunks = [b'{"runs":[' + b",".join(bulk[i : i + chunk]) + b"]}" for i in range(0, len(bulk), chunk)]

    def created(r: httpx2.Response) -> None:
        if r.status_code != 201:
            raise RuntimeError(f"POST /api/results answered {r.status_code}: {r.text[:300]}")

    def all_created(r: httpx2.Response) -> None:
        body = r.json() if r.status_code == 200 else {}
        if not body or body["created"] != len(body["results"]):
            raise RuntimeError(f"POST /api/results:batch answered {r.status_code}: {r.text[:300]}")

    rows = []
    with served(db_url) as (url, server):

        def phase(endpoint: str, path: str, bodies: list[bytes], runs: int, check: Check) -> IngestRow:
            before, cpu = os.getloadavg()[0], server.cpu_times()
            seconds, p50 = _timed_posts(url, path, bodies, check)
            used = sum(server.cpu_times()[:2]) - sum(cpu[:2])  # user + system
            return IngestRow(
                backend, endpoint, runs, seconds, p50, used * 1000 / runs, (before, os.getloadavg()[0])
            )

        # Warm the server (imports, statement caches) on runs outside the measured sets.
        warm = [
            json.dumps(to_wire(r.model_copy(update={"run_id": f"{r.run_id}_warm"}))).encode()
            for r in runs[:3]
        ]
        _timed_posts(url, "/api/results", warm[:1], created)
        _timed_posts(url, "/api/results:batch", [b'{"runs":[' + b",".join(warm[1:]) + b"]}"], all_created)
        rows.append(phase("POST /api/results", "/api/results", single, len(single), created))
        name = f"POST /api/results:batch ({chunk}/req)"
        rows.append(phase(name, "/api/results:batch", chunks, len(bulk), all_created))
    return rows


def print_ingest(rows: list[IngestRow], body_kb: float) -> None:
    """The ingest table: each figure beside its goal, and the load it was measured under.

    ``cpu ms/run`` is the server process's own CPU time per run (PostgreSQL's backends not
    included); 1000 / it is the rate one free core would sustain, whatever else the machine runs.
    """
    print(f"\ningest ({body_kb:.0f} KB of JSON per run, one `zebench serve` process, {os.cpu_count()} cores)")
    head = f"{'backend':11} {'endpoint':34} {'runs':>6} {'runs/s':>7} {'ms/req p50':>10} {'cpu ms/run':>10}"
    print(f"{head} {'goal':>7}  load 1m before→after")
    for r in rows:
        goal = f"≥ {r.goal:.0f}"
        print(
            f"{r.backend:11} {r.endpoint:34} {r.runs:>6} {r.rate:7.0f} {r.request_ms_p50:10.1f}"
            f" {r.cpu_ms_per_run:10.2f} {goal:>7}  {r.load[0]:.2f}→{r.load[1]:.2f}"
            f"  {'ok' if r.rate >= r.goal else 'BELOW'}"
        )


@contextmanager
def postgres(url: str | None) -> Iterator[str]:
    """A fresh database on the PostgreSQL server at ``url``, or on a throwaway cluster when None.

    The throwaway cluster is tests/pg.py's (fsync off, like the test suite's), so its figures are an
    upper bound for a durable server.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pg import create_database, start_postgres

    stop: Callable[[], None] | None = None
    if url is None:
        url, stop = start_postgres()
    try:
        yield create_database(url, f"zebench_bench_{int(time.time())}")
    finally:
        if stop is not None:
            stop()
