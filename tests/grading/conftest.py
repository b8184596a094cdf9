"""Fixtures of the grading tests: the CLI as a subprocess in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gradekit import CliRun


@pytest.fixture
def zb(tmp_path: Path) -> CliRun:
    """Run ``python -m zebench ARGS`` in tmp_path with a clean environment, 200 columns wide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env["COLUMNS"] = "200"

    def run(*args: str, check: int | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "zebench", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check is not None:
            assert proc.returncode == check, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    return run
