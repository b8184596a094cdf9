"""Workspace limits as a user meets them: the flags, the stored reason, and bad values."""

from __future__ import annotations

from cli_helpers import CliRun, as_json


def test_a_workspace_over_its_file_limit_is_stored_with_the_reason_and_still_validated(zb: CliRun) -> None:
    proc = zb(
        "bench", "examples", "fix-failing-tests", "--agent", "oracle", "--skip-warmup", "--sandbox", "none",
        "--max-workspace-files", "3", "--json",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    run = as_json(proc)
    assert run["status"] == "failed"
    assert run["reason"].startswith("workspace_limit: the agent left more than 3 files in the workspace")
    assert "--max-workspace-files" in run["reason"]
    assert run["validation"] and run["validation"][0]["exit_code"] == 0  # validation still ran
    assert run["evaluations"] and run["is_successful"] is False
    shown = zb("run", run["run_id"])
    assert "workspace_limit" in shown.stdout


def test_bad_limit_flags_are_one_line_errors(zb: CliRun) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", "--max-workspace-bytes", "lots")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == ["error: --max-workspace-bytes: expected a size such as 500M or 2G, got 'lots'"]
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", "--max-workspace-files", "0")
    assert proc.returncode == 2 and "--max-workspace-files" in proc.stderr
