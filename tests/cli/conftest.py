"""Helpers to run the ``zebench`` CLI end to end, as a user would: a subprocess in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import CliRun


@pytest.fixture
def zb(tmp_path: Path) -> CliRun:
    """Run ``python -m zebench ARGS`` in tmp_path with a clean environment; returns the process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env["COLUMNS"] = "200"

    def run(
        *args: str, check: int | None = None, timeout: float = 180, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "zebench", *args],
            cwd=tmp_path,
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    return run
