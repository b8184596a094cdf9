"""A wrong (or missing) write key against a real ``zebench serve``: ``zebench bench`` queues its runs,
``zebench sync`` stops with one line and a non-zero exit, and the outbox stays byte-identical with
nothing moved to ``rejected/``; the right key then delivers every run."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from client_helpers import free_port

RIGHT = "right-write-key-0123456789"
WRONG = "wrong-write-key-9876543210"


def _env(url: str, key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env |= {"ZE_BENCHMARKS_WORKER_URL": url, "NO_COLOR": "1", "COLUMNS": "300"}
    if key is not None:
        env["ZE_BENCHMARKS_API_KEY"] = key
    return env


def _zebench(cwd: Path, url: str, key: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zebench", *args],
        cwd=cwd,
        env=_env(url, key),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (names and bytes), to compare before and after."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _start_server(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ZE_BENCHMARKS_API_KEY": RIGHT}
    db = f"sqlite:///{tmp_path / 'server.db'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "zebench", "serve", "--db", db, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            if httpx2.get(url + "/health", timeout=1).status_code == 200:
                return server, url
        except httpx2.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("zebench serve did not start")


def _server_runs(url: str) -> list[str]:
    return [item["runId"] for item in httpx2.get(url + "/api/runs", timeout=10).json()["items"]]


def test_a_wrong_key_queues_and_keeps_every_run_until_the_right_key_delivers(tmp_path: Path) -> None:
    server, url = _start_server(tmp_path)
    outbox = tmp_path / "results" / "outbox"
    try:
        # zebench bench with a wrong key: the runs are queued, not refused, and it says why.
        bench = _zebench(
            tmp_path, url, WRONG, "bench", "examples", "fix-failing-tests", "--agent", "oracle",
            "--iterations", "2", "--skip-warmup", "--batch-id", "batch_key",
        )  # fmt: skip
        assert bench.returncode == 0, bench.stdout + bench.stderr
        assert "Traceback" not in bench.stderr
        assert f"the results server {url} refused the key (HTTP 403" in bench.stderr
        assert "wait in results/outbox: run `zebench sync` once the key is fixed" in bench.stderr
        assert len(list(outbox.glob("*-run-*.json"))) == 2 and list(outbox.glob("*-batch-batch_key.json"))
        queued = len(list(outbox.glob("*.json")))
        assert not (outbox / "rejected").exists()
        assert _server_runs(url) == []
        before = _snapshot(outbox)

        # zebench sync with a wrong key, then with none: one line, exit 2, the outbox untouched.
        for key, status in ((WRONG, 403), (None, 401)):
            sync = _zebench(tmp_path, url, key, "sync")
            assert sync.returncode == 2, sync.stdout + sync.stderr
            lines = sync.stderr.strip().splitlines()
            assert len(lines) == 1 and sync.stdout == "", sync.stderr
            assert lines[0].startswith("error: submitting batch batch_key: ")  # queued first
            assert f"the results server {url} refused the key (HTTP {status}" in lines[0]
            assert f"{queued} item(s) stay queued in results/outbox" in lines[0]
            assert "set ZE_BENCHMARKS_API_KEY to the server's write key" in lines[0]
            assert _snapshot(outbox) == before
            assert not (outbox / "rejected").exists()

        # A bench with the wrong key and a full outbox stops before any work, the queue untouched.
        again = _zebench(tmp_path, url, WRONG, "bench", "examples", "fix-failing-tests", "--agent", "oracle")
        assert again.returncode == 2 and "refused the key" in again.stderr
        assert f"{queued} item(s) stay queued" in again.stderr and "Traceback" not in again.stderr
        assert _snapshot(outbox) == before
        assert _server_runs(url) == []

        # The right key delivers everything, exactly once.
        sync = _zebench(tmp_path, url, RIGHT, "sync")
        assert sync.returncode == 0, sync.stdout + sync.stderr
        assert f"sent {queued}, failed 0, remaining 0" in sync.stdout
        assert not list(outbox.glob("*.json")) and not (outbox / "rejected").exists()
        assert len(_server_runs(url)) == 2
        batch = httpx2.get(url + "/api/batches/batch_key", timeout=10).json()
        assert batch["summary"]["runs"] == 2 and batch["summary"]["successes"] == 2
    finally:
        server.terminate()
        server.wait(timeout=30)
