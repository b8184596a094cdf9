"""A calc repository with a short history, and the CLI run as a user runs it (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from repokit import Zb, build_calc_repo


@pytest.fixture
def calc_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The repository (in tmp_path/calc) and its commit ids by name."""
    repo = tmp_path / "calc"
    return repo, build_calc_repo(repo)


@pytest.fixture
def zb(tmp_path: Path) -> Zb:
    """Run ``python -m zebench ARGS`` in tmp_path, with a private cache; check the exit code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env.update(COLUMNS="200", ZEBENCH_CACHE_DIR=str(tmp_path / "cache"))

    def run(
        *args: str, check: int | None = 0, timeout: float = 600, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "zebench", *args],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    return run
