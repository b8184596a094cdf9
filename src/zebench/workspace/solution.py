"""Lay a scenario's reference solution or hidden tests into a workspace."""

from __future__ import annotations

import shlex
import tempfile
from pathlib import Path

from zebench.commands import CommandRunner, LocalCommandRunner
from zebench.errors import WorkspaceError
from zebench.safefs import copy_into
from zebench.scenarios.model import Scenario
from zebench.workspace.copy import EXCLUDED_DIRS, copy_fixture
from zebench.workspace.git import first_error_line, run_git
from zebench.workspace.harness_repo import HarnessRepo

SOLUTION_SCRIPT_TIMEOUT_S = 600.0


def apply_solution(scenario: Scenario, workspace_path: Path, *, runner: CommandRunner | None = None) -> None:
    """Apply the scenario's solution (folder, patch or script) to ``workspace_path``; the oracle agent.

    Raises :class:`WorkspaceError` naming the solution file when it is missing or fails to apply.
    ``runner`` runs solution scripts (default: a :class:`LocalCommandRunner` with the scenario's env).
    """
    solution = scenario.solution
    if solution is None:
        raise WorkspaceError(
            "the scenario has no reference solution",
            file=scenario.config_file,
            field="solution",
            hint="add a solution folder, solution.patch or solve.sh, or use another agent",
        )
    source = solution.path
    if not source.exists():
        raise WorkspaceError(
            f"the {solution.kind} solution does not exist",
            file=source,
            field="solution",
            hint=f"create it or fix the solution path in {scenario.config_file}",
        )
    if solution.kind == "folder":
        copy_fixture(source, workspace_path, keep_root_git=False)
    elif solution.kind == "patch":
        _apply_patch(source, workspace_path)
    else:
        _run_script(scenario, source, workspace_path, runner)


def _apply_patch(patch: Path, workspace_path: Path) -> None:
    # An empty repository of the harness's own: git must not pick up the workspace's .git.
    with tempfile.TemporaryDirectory(prefix="zebench-apply-") as tmp:
        repo = HarnessRepo.create(Path(tmp) / "harness.git")
        proc = run_git(
            repo.git_dir,
            ["apply", "--whitespace=nowarn", str(patch.resolve())],
            work_tree=workspace_path,
            check=False,
        )
    if proc.returncode != 0:
        raise WorkspaceError(
            f"the patch does not apply: {first_error_line(proc.stderr)}",
            file=patch,
            field="solution",
            hint="regenerate it with git diff against the fixture",
        )


def _run_script(scenario: Scenario, script: Path, workspace_path: Path, runner: CommandRunner | None) -> None:
    # A throwaway HOME keeps tool caches (npm, pip) out of the workspace and so out of the diff.
    with tempfile.TemporaryDirectory(prefix="zebench-home-") as home:
        active = runner or LocalCommandRunner(base_env=scenario.env, home=home)
        result = active.run(
            f"bash {shlex.quote(str(script.resolve()))}",
            workspace_path,
            name="solution",
            timeout_s=SOLUTION_SCRIPT_TIMEOUT_S,
            env={"ZEBENCH_SCENARIO_DIR": str(scenario.directory.resolve())},
        )
    if not result.ok:
        why = result.error or f"exit code {result.exit_code}"
        tail = "\n".join(result.stderr.strip().splitlines()[-5:]) or result.stdout.strip()[-500:]
        raise WorkspaceError(
            f"the solution script failed ({why}): {tail}" if tail else f"the solution script failed ({why})",
            file=script,
            field="solution",
            hint="run it by hand in a copy of the fixture to debug it",
        )


def copy_hidden_tests(scenario: Scenario, workspace_path: Path) -> list[str]:
    """Copy the scenario's hidden tests over the workspace (after the agent, for validation only).

    Returns the copied files relative to the workspace; empty when the scenario has none.
    """
    hidden = scenario.hidden_tests_dir
    if hidden is None:
        return []
    if not hidden.is_dir():
        raise WorkspaceError(
            "the hidden tests folder does not exist",
            file=hidden,
            field="hidden_tests",
            hint=f"create it or fix the path in {scenario.config_file}",
        )
    # The workspace is the agent's: never write through a link or FIFO it planted where a test goes.
    return sorted(copy_into(hidden, workspace_path, skip=EXCLUDED_DIRS))
