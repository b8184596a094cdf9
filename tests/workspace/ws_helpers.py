"""Helpers for workspace tests: tree hashing, git, file writing and scenarios around real folders."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from zebench.scenarios.model import Scenario

GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` for test setup and checks; fails the test on error."""
    proc = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def tree_hash(root: Path, *, skip_git: bool = False) -> dict[str, str]:
    """Every entry under ``root`` (links by target, files by content and mode), for before/after checks."""
    result: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip_git and ".git" in dirnames:
            dirnames.remove(".git")
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                result[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                result[rel] = "dir"
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                result[rel] = f"{oct(path.stat().st_mode & 0o777)}:{digest}"
    return result


def write(root: Path, rel: str, content: str | bytes = "x\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


MakeScenario = Callable[..., Scenario]
