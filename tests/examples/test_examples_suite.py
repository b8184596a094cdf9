"""The bundled ``examples`` suite really works: the fixture fails validation, the oracle passes it.

Deliberately independent of zebench's loader, workspace and evaluators: the scenario folders are
read as plain files and the validation commands run with ``subprocess`` in temporary copies, so a
bug in zebench cannot hide a broken scenario (and the tree under src/ is never written to).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

SUITE_DIR = Path(__file__).resolve().parents[2] / "src" / "zebench" / "suites" / "examples"
SCENARIOS_DIR = SUITE_DIR / "scenarios"
SCENARIO_IDS = sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "scenario.yaml").is_file())
REQUIRED_SCENARIOS = {
    "fix-failing-tests",
    "fix-lint-errors",
    "add-type-annotations",
    "bump-dependency-pins",
    "node-fix-tests",
}
KNOWN_EVALUATORS = {
    "install", "build", "lint", "typecheck", "test", "heuristic_checks",
    "dependencies", "integrity", "llm_judge",
}  # fmt: skip
# Paths the oracle must never touch: editing them is exactly what the integrity evaluator flags.
PROTECTED_TOP_DIRS = {"tests", "test", "tools", "tests-hidden"}
SUPPRESSIONS = re.compile(
    r"#\s*noqa|#\s*type:\s*ignore|eslint-disable|@ts-ignore|@ts-nocheck|unittest\.skip|pytest\.mark\.skip"
    r"|\b(?:it|test|describe)\.skip\(|\{\s*skip\s*:"
)
MAX_COMMAND_SECONDS = 5.0  # the design budget is < 2 s; leave headroom for loaded CI machines
KINDS = {"install", "build", "lint", "typecheck", "test", "custom"}


def _configs() -> dict[str, dict[str, Any]]:
    return {
        sid: yaml.safe_load((SCENARIOS_DIR / sid / "scenario.yaml").read_text(encoding="utf-8"))
        for sid in SCENARIO_IDS
    }


WITH_TARGETS = [sid for sid, c in _configs().items() if (c.get("targets") or {}).get("required")]
WITH_HEURISTICS = [sid for sid, c in _configs().items() if c.get("heuristic_checks")]


def load_config(scenario_id: str) -> dict[str, Any]:
    data = yaml.safe_load((SCENARIOS_DIR / scenario_id / "scenario.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def commands(config: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for index, entry in enumerate(config["validation_commands"]):
        if isinstance(entry, str):
            out.append((f"command-{index}", entry))
        else:
            out.append((entry.get("name", f"command-{index}"), entry["command"]))
    return out


def needs_node(config: dict[str, Any]) -> bool:
    return any(re.match(r"\s*(node|npm|npx)\b", command) for _, command in commands(config))


def make_workspace(scenario_id: str, dest: Path, *, with_solution: bool) -> Path:
    scenario = SCENARIOS_DIR / scenario_id
    shutil.copytree(scenario / "repo-fixture", dest)
    if with_solution:
        shutil.copytree(scenario / "solution", dest, dirs_exist_ok=True)
    hidden = load_config(scenario_id).get("hidden_tests")
    if hidden:  # evaluation-only tests are copied in after the agent, for both runs
        shutil.copytree(scenario / hidden, dest, dirs_exist_ok=True)
    return dest


def run_validation(workspace: Path, config: dict[str, Any]) -> list[tuple[str, int, float, str]]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    results = []
    for name, command in commands(config):
        started = time.monotonic()
        proc = subprocess.run(
            command, shell=True, cwd=workspace, env=env, capture_output=True, text=True, timeout=60
        )
        elapsed = time.monotonic() - started
        results.append((name, proc.returncode, elapsed, proc.stdout[-3000:] + proc.stderr[-3000:]))
    return results


def solution_files(scenario_id: str) -> list[Path]:
    root = SCENARIOS_DIR / scenario_id / "solution"
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_the_required_scenarios_exist() -> None:
    assert set(SCENARIO_IDS) >= REQUIRED_SCENARIOS


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_scenario_layout_and_config(scenario_id: str) -> None:
    scenario = SCENARIOS_DIR / scenario_id
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", scenario_id)
    config = load_config(scenario_id)
    assert config["name"] and config["description"] and config["tags"]
    assert 0 < float(config.get("success_threshold", 0.7)) <= 1
    assert float(config["timeout_minutes"]) > 0

    for tier, stem in (("L0", "minimal"), ("L1", "basic"), ("L2", "directed")):
        prompt = scenario / "prompts" / f"{tier}-{stem}.md"
        assert prompt.is_file(), prompt
        assert prompt.read_text(encoding="utf-8").strip()
    assert len((scenario / "prompts" / "L0-minimal.md").read_text().strip().splitlines()) == 1

    assert (scenario / "repo-fixture").is_dir()
    assert solution_files(scenario_id), "the oracle needs a non-empty solution/ folder"

    for entry in config["validation_commands"]:
        command = entry if isinstance(entry, str) else entry["command"]
        if not isinstance(entry, str):
            assert entry["kind"] in KINDS
        assert not re.match(r"\s*python\b(?!3)", command), "use python3, not python"
        assert not re.search(r"\b(pip|npm|npx|pytest|ruff|mypy|yarn|pnpm)\b", command), command

    names = [e["name"] for e in config["evaluators"]]
    assert set(names) <= KNOWN_EVALUATORS and "llm_judge" not in names
    assert len(names) == len(set(names))
    assert any(e.get("required") for e in config["evaluators"])
    assert "integrity" in names

    answers_file = scenario / config["oracle"]["answers_file"]
    answers = json.loads(answers_file.read_text(encoding="utf-8"))
    assert answers and all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items())


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_echo_agent_fails_validation(scenario_id: str, tmp_path: Path) -> None:
    """An agent that changes nothing must fail at least one validation command."""
    config = load_config(scenario_id)
    if needs_node(config) and shutil.which("node") is None:
        pytest.skip("node is not installed")
    workspace = make_workspace(scenario_id, tmp_path / "ws", with_solution=False)
    results = run_validation(workspace, config)
    assert any(code != 0 for _, code, _, _ in results), results
    for name, _, elapsed, _ in results:
        assert elapsed < MAX_COMMAND_SECONDS, f"{name} took {elapsed:.2f}s"


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_oracle_solution_passes_validation(scenario_id: str, tmp_path: Path) -> None:
    config = load_config(scenario_id)
    if needs_node(config) and shutil.which("node") is None:
        pytest.skip("node is not installed")
    workspace = make_workspace(scenario_id, tmp_path / "ws", with_solution=True)
    results = run_validation(workspace, config)
    for name, code, elapsed, output in results:
        assert code == 0, f"{scenario_id}: '{name}' exited {code}\n{output}"
        assert elapsed < MAX_COMMAND_SECONDS, f"{name} took {elapsed:.2f}s"
    # deterministic: a second run gives the same exit codes
    assert [r[1] for r in run_validation(workspace, config)] == [0] * len(results)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_oracle_solution_keeps_integrity(scenario_id: str) -> None:
    """The oracle only edits implementation files: no tests, no tools, no new suppressions."""
    scenario = SCENARIOS_DIR / scenario_id
    command_text = " ".join(command for _, command in commands(load_config(scenario_id)))
    for relative in solution_files(scenario_id):
        assert relative.parts[0] not in PROTECTED_TOP_DIRS, relative
        # integrity treats any file named in a validation command as a validation script
        assert relative.as_posix() not in command_text, relative
        assert not re.search(r"(^|/)(test_[^/]*\.py|[^/]*\.test\.[cm]?js)$", relative.as_posix()), relative
        new = (scenario / "solution" / relative).read_text(encoding="utf-8")
        fixture_file = scenario / "repo-fixture" / relative
        old = fixture_file.read_text(encoding="utf-8") if fixture_file.is_file() else ""
        assert len(SUPPRESSIONS.findall(new)) <= len(SUPPRESSIONS.findall(old)), relative
        assert new != old, f"{relative} is identical to the fixture"


@pytest.mark.parametrize("scenario_id", WITH_TARGETS)
def test_dependency_targets_separate_fixture_from_solution(scenario_id: str) -> None:
    targets = load_config(scenario_id)["targets"]["required"]
    scenario = SCENARIOS_DIR / scenario_id

    def pins(path: Path) -> dict[str, str]:
        found: dict[str, str] = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                found[canonicalize_name(name)] = version.strip()
        return found

    fixture = pins(scenario / "repo-fixture" / "requirements.txt")
    solution = pins(scenario / "solution" / "requirements.txt")
    unmet_before = 0
    for target in targets:
        spec = SpecifierSet(target["to"])
        key = canonicalize_name(target["name"])
        assert key in fixture and key in solution, key
        assert spec.contains(solution[key]), (key, solution[key], target["to"])
        unmet_before += not spec.contains(fixture[key])
    assert unmet_before >= 1


@pytest.mark.parametrize("scenario_id", WITH_HEURISTICS)
def test_heuristic_patterns_hold_for_the_solution(scenario_id: str, tmp_path: Path) -> None:
    checks = load_config(scenario_id)["heuristic_checks"]
    assert checks.get("enabled") is True
    workspace = make_workspace(scenario_id, tmp_path / "ws", with_solution=True)
    for pattern in checks.get("patterns", []):
        files = [p for p in workspace.glob(pattern["file"]) if p.is_file()]
        assert files, pattern
        regex = re.compile(pattern["pattern"], re.MULTILINE)
        matched = any(regex.search(p.read_text(encoding="utf-8")) for p in files)
        assert matched == pattern.get("should_match", True), pattern["name"]


def test_suite_tree_is_clean() -> None:
    """No VCS folders, caches, bytecode or installed modules are shipped inside the package."""
    junk = {".git", "__pycache__", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    for path in SUITE_DIR.rglob("*"):
        assert path.name not in junk, path
        assert path.suffix not in {".pyc", ".pyo"}, path
