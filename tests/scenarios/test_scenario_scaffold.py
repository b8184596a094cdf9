"""Scaffolded suites and scenarios load and really work."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zebench.errors import ScenarioError
from zebench.scenarios import load_scenario, resolve_prompt, scaffold_scenario, scaffold_suite


def test_scaffold_suite(tmp_path: Path) -> None:
    suite_dir = scaffold_suite("my-suite", tmp_path)
    assert suite_dir == tmp_path / "my-suite" and (suite_dir / "scenarios").is_dir()
    with pytest.raises(ScenarioError, match="already exists"):
        scaffold_suite("my-suite", tmp_path)


@pytest.mark.parametrize("name", ["My-Suite", "a--b", "-a", "a_b", "", "a b"])
def test_scaffold_rejects_non_kebab_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ScenarioError, match="kebab-case"):
        scaffold_suite(name, tmp_path)
    with pytest.raises(ScenarioError, match="kebab-case"):
        scaffold_scenario("ok", name, tmp_path)


def test_scaffolded_scenario_loads_cleanly(tmp_path: Path) -> None:
    directory = scaffold_scenario("new-suite", "fix-slugs", tmp_path)  # creates the suite too
    assert directory == tmp_path / "new-suite" / "scenarios" / "fix-slugs"
    scenario = load_scenario("new-suite", "fix-slugs", tmp_path)
    assert scenario.format == "design"
    assert scenario.warnings == []
    assert scenario.tiers == ["L0", "L1", "L2"]
    for tier in scenario.tiers:
        assert resolve_prompt(scenario, tier).text.strip()
    assert [c.command for c in scenario.validation] == ["python3 -m unittest discover -s tests -v"]
    assert scenario.solution is not None and scenario.solution.kind == "folder"
    assert scenario.fixture_dir == directory / "repo-fixture"
    assert json.loads((directory / "oracle-answers.json").read_text()) == {}
    assert scenario.oracle_answers == {}
    assert [e.name for e in scenario.evaluators] == ["test", "integrity"]
    with pytest.raises(ScenarioError, match="already exists"):
        scaffold_scenario("new-suite", "fix-slugs", tmp_path)


def _run_validation(workspace: Path, command: str) -> int:
    args = command.split()
    args[0] = sys.executable if args[0] == "python3" else args[0]
    return subprocess.run(args, cwd=workspace, capture_output=True, timeout=60).returncode


def test_scaffolded_fixture_fails_and_solution_fixes_it(tmp_path: Path) -> None:
    scaffold_scenario("s", "demo", tmp_path / "suites")
    scenario = load_scenario("s", "demo", tmp_path / "suites")
    assert scenario.fixture_dir is not None and scenario.solution is not None
    command = scenario.validation[0].command
    workspace = tmp_path / "ws"
    shutil.copytree(scenario.fixture_dir, workspace)
    assert _run_validation(workspace, command) != 0
    shutil.copytree(scenario.solution.path, workspace, dirs_exist_ok=True)
    assert _run_validation(workspace, command) == 0
