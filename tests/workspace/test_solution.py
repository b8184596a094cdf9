from __future__ import annotations

import time
from pathlib import Path

import pytest
from ws_helpers import MakeScenario, git, write

from zebench.errors import WorkspaceError
from zebench.workspace import apply_solution, copy_hidden_tests, prepare_workspace


def _fixture(tmp_path: Path) -> Path:
    fx = tmp_path / "fx"
    write(fx, "src/app.py", "def answer():\n    return 41\n")
    write(fx, "README.md", "demo\n")
    return fx


def test_folder_solution_overwrites_and_creates(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    sol = tmp_path / "scenario" / "solution"
    write(sol, "src/app.py", "def answer():\n    return 42\n")
    write(sol, "tests/new/test_app.py", "assert True\n")
    write(sol, "node_modules/x.js", "skip me")
    scenario = make_scenario(fx, solution=("folder", sol))
    ws = prepare_workspace(scenario, tmp_path / "ws")
    apply_solution(scenario, ws.path)
    assert "return 42" in (ws.path / "src/app.py").read_text()
    assert (ws.path / "tests/new/test_app.py").is_file()
    assert not (ws.path / "node_modules").exists()
    assert {c.path for c in ws.diff().changed_files} == {"src/app.py", "tests/new/test_app.py"}


def test_patch_solution_applies(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    scratch = prepare_workspace(make_scenario(fx), tmp_path / "scratch")
    write(scratch.path, "src/app.py", "def answer():\n    return 42\n")
    write(scratch.path, "NEW.md", "added\n")
    patch = tmp_path / "scenario" / "solution.patch"
    patch.write_text(scratch.diff().patch, encoding="utf-8")

    scenario = make_scenario(fx, solution=("patch", patch))
    ws = prepare_workspace(scenario, tmp_path / "ws")
    apply_solution(scenario, ws.path)
    assert "return 42" in (ws.path / "src/app.py").read_text()
    assert (ws.path / "NEW.md").read_text() == "added\n"


def test_patch_that_does_not_apply_names_the_file(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    patch = write(
        tmp_path / "scenario",
        "bad.patch",
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n def nope():\n-    return 0\n+    return 1\n",
    )
    scenario = make_scenario(fx, solution=("patch", patch))
    ws = prepare_workspace(scenario, tmp_path / "ws")
    with pytest.raises(WorkspaceError) as info:
        apply_solution(scenario, ws.path)
    err = info.value
    assert err.file == str(patch)
    assert "error:" in err.message
    assert err.hint == "regenerate it with git diff against the fixture"
    assert git(ws.path, "status", "--porcelain") == ""


def test_script_solution_runs_in_workspace_with_scrubbed_env(
    tmp_path: Path, make_scenario: MakeScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "secret-should-not-leak")
    fx = _fixture(tmp_path)
    script = write(
        tmp_path / "scenario",
        "solve.sh",
        'set -e\nsed -i "s/41/42/" src/app.py\n'
        'echo "$ZEBENCH_SCENARIO_DIR|${ANTHROPIC_API_KEY:-unset}|$EXTRA" > out.txt\n',
    )
    scenario = make_scenario(fx, solution=("script", script), env={"EXTRA": "from-scenario"})
    ws = prepare_workspace(scenario, tmp_path / "ws")
    apply_solution(scenario, ws.path)
    assert "return 42" in (ws.path / "src/app.py").read_text()
    assert (ws.path / "out.txt").read_text().strip() == f"{scenario.directory.resolve()}|unset|from-scenario"
    assert {c.path for c in ws.diff().changed_files} == {"src/app.py", "out.txt"}


def test_failing_script_reports_stderr_tail(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    script = write(tmp_path / "scenario", "solve.sh", "echo working\necho 'boom: missing tool' >&2\nexit 3\n")
    scenario = make_scenario(fx, solution=("script", script))
    ws = prepare_workspace(scenario, tmp_path / "ws")
    with pytest.raises(WorkspaceError, match=r"exit code 3\): boom: missing tool") as info:
        apply_solution(scenario, ws.path)
    assert info.value.file == str(script)


def test_script_timeout_is_enforced(
    tmp_path: Path, make_scenario: MakeScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("zebench.workspace.solution.SOLUTION_SCRIPT_TIMEOUT_S", 1.0)
    fx = _fixture(tmp_path)
    script = write(tmp_path / "scenario", "solve.sh", "sleep 30\n")
    scenario = make_scenario(fx, solution=("script", script))
    ws = prepare_workspace(scenario, tmp_path / "ws")
    started = time.monotonic()
    with pytest.raises(WorkspaceError, match="timed out"):
        apply_solution(scenario, ws.path)
    assert time.monotonic() - started < 10


def test_missing_solution_errors(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    scenario = make_scenario(fx)
    ws = prepare_workspace(scenario, tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="no reference solution") as info:
        apply_solution(scenario, ws.path)
    assert info.value.field == "solution" and info.value.file == str(scenario.config_file)
    gone = make_scenario(fx, solution=("folder", tmp_path / "scenario" / "missing"))
    with pytest.raises(WorkspaceError, match="does not exist"):
        apply_solution(gone, ws.path)


def test_hidden_tests_are_copied_over(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    write(fx, "tests/test_visible.py", "agent version\n")
    hidden = tmp_path / "scenario" / "hidden"
    write(hidden, "tests/test_visible.py", "hidden version\n")
    write(hidden, "tests/deep/test_hidden.py", "secret\n")
    scenario = make_scenario(fx, hidden_tests=hidden)
    ws = prepare_workspace(scenario, tmp_path / "ws")
    copied = copy_hidden_tests(scenario, ws.path)
    assert copied == ["tests/deep/test_hidden.py", "tests/test_visible.py"]
    assert (ws.path / "tests/test_visible.py").read_text() == "hidden version\n"
    assert (ws.path / "tests/deep/test_hidden.py").read_text() == "secret\n"
    assert copy_hidden_tests(make_scenario(fx), ws.path) == []
