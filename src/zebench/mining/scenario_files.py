"""Write a mined scenario's folder: fixture, solution, hidden tests, prompts and scenario.yaml.

The fixture is the parent commit's tree exported with ``git archive`` into ``repo-fixture/``, so
the suite is self-contained and portable (no path back to the user's repository). ``mined.json``
keeps where it came from (repository, commit, parent), for people and for SWE-bench export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from zebench.mining.repo import CommitInfo, SourceRepo

MINED_FILE = "mined.json"
FIXTURE_DIR = "repo-fixture"
HIDDEN_DIR = "tests-hidden"
SOLUTION_FILE = "solution.patch"
TEST_PATCH_FILE = "test.patch"  # the commit's test diff as it was, for SWE-bench export
VALIDATION_TIMEOUT_S = 600


class MinedOrigin(BaseModel):
    """Where a mined scenario comes from: ``mined.json`` beside its scenario.yaml."""

    repo: str  # the repository's name, e.g. toolz (SWE-bench's owner/name for an imported instance)
    repo_url: str | None = None  # its origin remote, when it has one
    commit: str  # the fix commit ("" for an imported SWE-bench instance, which names only its base)
    parent: str  # the fixture's commit: SWE-bench's base_commit
    date: str
    subject: str
    test_files: list[str] = Field(default_factory=list)
    source_files: list[str] = Field(default_factory=list)
    test_command: str
    notes: list[str] = Field(default_factory=list)


def write_origin(directory: Path, origin: MinedOrigin) -> None:
    (directory / MINED_FILE).write_text(origin.model_dump_json(indent=2) + "\n", encoding="utf-8")


def read_origin(directory: Path) -> MinedOrigin | None:
    """The scenario's ``mined.json``, or None for a scenario that was not mined."""
    path = directory / MINED_FILE
    if not path.is_file():
        return None
    return MinedOrigin.model_validate_json(path.read_text(encoding="utf-8"))


def write_sources(
    repo: SourceRepo,
    commit: CommitInfo,
    directory: Path,
    *,
    tests: tuple[str, ...],
    non_test: tuple[str, ...],
) -> str:
    """Fixture, ``solution.patch``, ``test.patch`` and ``tests-hidden/``; returns the solution patch.

    Hidden tests are the commit's versions of the test files it adds or changes, laid over the
    workspace after the agent (a deleted test file cannot be expressed this way; such commits are
    rejected before this point).
    """
    repo.export_tree(commit.parent, directory / FIXTURE_DIR)
    patch = repo.diff(commit.parent, commit.sha, non_test)
    (directory / SOLUTION_FILE).write_text(patch, encoding="utf-8", errors="surrogateescape")
    test_patch = repo.diff(commit.parent, commit.sha, tests)
    (directory / TEST_PATCH_FILE).write_text(test_patch, encoding="utf-8", errors="surrogateescape")
    hidden = directory / HIDDEN_DIR
    for path in tests:
        data = repo.show_file(commit.sha, path, max_bytes=50_000_000)
        if data is None:
            continue
        target = hidden / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return patch


def scenario_yaml(
    *,
    title: str,
    description: str,
    source: str,
    test_command: str,
    python: list[str],
    npm: list[str],
    env: dict[str, str],
    tags: list[str],
    evaluators: list[dict[str, Any]],
) -> str:
    """The scenario.yaml text of a mined scenario."""
    data: dict[str, Any] = {
        "name": title,
        "description": description,
        "source": source,
        "tags": tags,
        "timeout_minutes": 30,
    }
    environment = {k: v for k, v in (("python", python), ("npm", npm)) if v}
    if environment:
        data["environment"] = environment
    if env:
        data["env"] = env
    data["validation_commands"] = [
        {"name": "tests", "kind": "test", "command": test_command, "timeout": VALIDATION_TIMEOUT_S}
    ]
    data["hidden_tests"] = f"{HIDDEN_DIR}/"
    data["evaluators"] = evaluators
    header = "# Mined by `zebench mine`; mined.json says from which commit.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_prompts(directory: Path, prompts: dict[str, str]) -> None:
    """``prompts/L0-minimal.md`` and friends; ``prompts`` maps a tier to its text."""
    names = {"L0": "L0-minimal.md", "L1": "L1-basic.md", "L2": "L2-directed.md"}
    folder = directory / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    for tier, text in prompts.items():
        (folder / names.get(tier, f"{tier}.md")).write_text(text, encoding="utf-8")


def write_oracle_answers(directory: Path) -> None:
    (directory / "oracle-answers.json").write_text(json.dumps({}) + "\n", encoding="utf-8")
