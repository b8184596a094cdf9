"""Real Dask processes for the scale tests: `dask scheduler` and `dask worker`, as users start them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DASK = shutil.which("dask")

# A worker preload that makes zebench unimportable, as in a Python where it was never installed.
BLOCK_ZEBENCH = """\
import sys


class _NoZebench:
    def find_spec(self, name, path=None, target=None):
        if name == "zebench" or name.startswith("zebench."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None


sys.meta_path.insert(0, _NoZebench())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DaskProcesses:
    """A scheduler plus the workers a test starts; everything is stopped at the end."""

    def __init__(self, root: Path) -> None:
        assert DASK is not None, "dask CLI not installed"
        self.root = root
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.log = (root / "dask.log").open("ab")
        self.procs: list[subprocess.Popen[bytes]] = []

    def _start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, cwd=self.root)
        self.procs.append(proc)
        return proc

    def scheduler(self) -> None:
        assert DASK is not None
        self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"])
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "dask scheduler did not start"
                time.sleep(0.1)

    def worker(self, *extra: str) -> subprocess.Popen[bytes]:
        """A plain ``dask worker`` (no zebench resources unless ``extra`` adds them)."""
        assert DASK is not None
        return self._start([DASK, "worker", self.address, "--host", "127.0.0.1", "--no-dashboard", *extra])

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(n, timeout=60)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.log.close()


@contextmanager
def dask_processes(root: Path) -> Iterator[DaskProcesses]:
    cluster = DaskProcesses(root)
    try:
        cluster.scheduler()
        yield cluster
    finally:
        cluster.stop()


ZEBENCH = [sys.executable, "-m", "zebench"]  # the CLI as a user runs it


def cli_env() -> dict[str, str]:
    """The test's environment without zebench settings, so runs land in the test's own folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env["COLUMNS"] = "200"
    return env
