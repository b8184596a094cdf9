"""Run the harness's own git: its configuration comes from the harness alone.

Every git command zebench runs names its repository explicitly (``GIT_DIR``) and reads no system,
global or XDG configuration; the harness's repositories are bare folders outside any workspace (see
:mod:`zebench.workspace.harness_repo`), so no repository config, hook, filter or attribute that an
agent wrote can take effect.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from zebench.commands.environment import safe_environment
from zebench.errors import WorkspaceError

# Passed on every invocation: even the harness's own repository config cannot turn these back on.
_SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.quotePath=false",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.symlinks=true",
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "advice.detachedHead=false",
    "init.defaultBranch=main",
    "user.name=zebench",
    "user.email=zebench@localhost",
    "protocol.allow=never",
    "diff.renames=true",
)


def git_env(
    git_dir: Path, work_tree: Path | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment for git on ``git_dir``: scrubbed, no configuration but the repository's own.

    An explicit GIT_DIR stops git from discovering an enclosing repository (workspaces often live
    inside the user's own checkout), and the null global/system config keeps ``~/.gitconfig`` out.
    """
    env = safe_environment(home=os.devnull)
    env.update(
        {
            "GIT_DIR": str(git_dir),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_ATTR_NOSYSTEM": "1",
            "XDG_CONFIG_HOME": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "LC_ALL": "C",
        }
    )
    if work_tree is not None:
        env["GIT_WORK_TREE"] = str(work_tree)
    if extra:
        env.update(extra)
    return env


def run_git(
    git_dir: Path,
    args: Sequence[str],
    *,
    work_tree: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    input_bytes: bytes | None = None,
    timeout_s: float = 300.0,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git <args>`` on the repository ``git_dir`` and return its raw (bytes) output.

    ``work_tree`` is given only where the command needs files (applying a solution patch to a
    pristine workspace, committing a fixture's baseline before any agent ran). With ``check`` a
    non-zero exit raises :class:`WorkspaceError` carrying git's first error line.
    """
    argv = ["git"]
    for item in _SAFE_CONFIG:
        argv += ["-c", item]
    argv += list(args)
    try:
        proc = subprocess.run(
            argv,
            cwd=str(work_tree or git_dir),
            env=git_env(git_dir, work_tree, env),
            input=input_bytes,
            stdin=None if input_bytes is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as exc:
        raise WorkspaceError("git is not installed", hint="install git and make sure it is on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise WorkspaceError(f"git {args[0]} timed out after {timeout_s:g}s", file=git_dir) from exc
    if check and proc.returncode != 0:
        raise WorkspaceError(
            f"git {args[0]} failed: {first_error_line(proc.stderr)}",
            file=git_dir,
            hint="check that git works on this machine",
        )
    return proc


def first_error_line(stderr: bytes) -> str:
    """The most useful line of git's stderr: the first ``error:``/``fatal:`` line, else the first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("error:", "fatal:")):
            return line
    return lines[0] if lines else "no error output"
