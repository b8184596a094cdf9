"""Run git in a workspace, isolated from the user's and the system's git configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from zebench.commands.environment import safe_environment
from zebench.errors import WorkspaceError

# Passed on every invocation so neither the fixture's nor the agent's repo config can run code or
# change output when zebench itself runs git (hooks, fsmonitor, pagers, external diff drivers).
_SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.quotePath=false",
    # Full stat checks, whatever the repo config says: diffs may start from a copied index whose
    # stat data must never pass for the workspace's files (see diff.compute_diff).
    "core.trustctime=true",
    "core.checkStat=default",
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "advice.detachedHead=false",
    "init.defaultBranch=main",
    "user.name=zebench",
    "user.email=zebench@localhost",
)


def git_env(workspace: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git in ``workspace``: scrubbed, with explicit GIT_DIR and work tree.

    GIT_DIR/GIT_WORK_TREE stop git from discovering an enclosing repository (workspaces often live
    inside the user's own checkout), and the null global/system config keeps ``~/.gitconfig`` out.
    """
    env = safe_environment(home=os.devnull)
    env.update(
        {
            "GIT_DIR": str(workspace / ".git"),
            "GIT_WORK_TREE": str(workspace),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "XDG_CONFIG_HOME": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
        }
    )
    if extra:
        env.update(extra)
    return env


def run_git(
    workspace: Path,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input_bytes: bytes | None = None,
    timeout_s: float = 300.0,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git <args>`` in ``workspace`` and return its raw (bytes) output.

    With ``check`` a non-zero exit raises :class:`WorkspaceError` carrying git's first error line.
    """
    argv = ["git"]
    for item in _SAFE_CONFIG:
        argv += ["-c", item]
    argv += list(args)
    try:
        proc = subprocess.run(
            argv,
            cwd=str(workspace),
            env=git_env(workspace, env),
            input=input_bytes,
            stdin=None if input_bytes is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as exc:
        raise WorkspaceError("git is not installed", hint="install git and make sure it is on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise WorkspaceError(f"git {args[0]} timed out after {timeout_s:g}s", file=workspace) from exc
    if check and proc.returncode != 0:
        raise WorkspaceError(
            f"git {args[0]} failed: {first_error_line(proc.stderr)}",
            file=workspace,
            hint="check that the workspace is a readable git repository",
        )
    return proc


def first_error_line(stderr: bytes) -> str:
    """The most useful line of git's stderr: the first ``error:``/``fatal:`` line, else the first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("error:", "fatal:")):
            return line
    return lines[0] if lines else "no error output"
