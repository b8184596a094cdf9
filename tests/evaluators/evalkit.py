"""Helpers shared by the evaluator tests: real workspaces and real git repositories.

A uniquely named module rather than ``conftest`` so that test modules can import it without
clashing with other packages' conftest files.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from zebench.evaluators.base import EvaluationContext

MakeCtx = Callable[..., EvaluationContext]


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``{relative path: text}`` under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a fixed identity and return stdout."""
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def git_baseline(root: Path, files: dict[str, str]) -> str:
    """Lay ``files`` into a fresh repository, commit them and return the commit id."""
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "baseline")
    return git(root, "rev-parse", "HEAD").strip()
