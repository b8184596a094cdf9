"""``zebench export swebench``: a suite's scenarios as SWE-bench instances, one JSON line each.

``repo`` and ``base_commit`` say where the starting tree comes from. For a mined scenario they
are the repository (``owner/name`` from its origin URL, else its folder name) and the parent
commit. A realworld scenario's fixture is a published package, not a git tree: ``repo`` is
``pypi:NAME`` (or ``npm:NAME``) and ``base_commit`` the pinned release, ``NAME==VERSION``
(``NAME@VERSION``), with the hash in ``zebench.fixture``. A scenario whose fixture is a plain
folder with no known commit cannot be expressed and is skipped with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zebench.mining.scenario_files import TEST_PATCH_FILE, read_origin
from zebench.scenarios import resolve_prompt
from zebench.scenarios.model import Scenario
from zebench.swebench.models import SWEBenchInstance, ZebenchExtras, encode_list
from zebench.workspace import apply_solution, copy_hidden_tests, prepare_workspace

LOCK_FILE = "tests.lock.json"
_GITHUB = re.compile(r"(?:github\.com[:/])([^/]+/[^/]+?)(?:\.git)?/?$")


@dataclass
class Exported:
    """One scenario's outcome: its instance, or why it could not be exported."""

    scenario: str
    instance: SWEBenchInstance | None = None
    skipped: str | None = None


def repo_slug(url: str | None, fallback: str) -> str:
    """``owner/name`` for a GitHub URL (SWE-bench's ``repo``), else the URL or ``fallback``."""
    if url:
        match = _GITHUB.search(url)
        return match.group(1) if match else url
    return fallback


def test_lists(scenario: Scenario) -> tuple[list[str], list[str]]:
    """The scenario's F2P/P2P: ``tests.lock.json``, else inline ``fail_to_pass:``/``pass_to_pass:``."""
    lock = scenario.directory / LOCK_FILE
    data = json.loads(lock.read_text(encoding="utf-8")) if lock.is_file() else scenario.raw
    return list(data.get("fail_to_pass") or []), list(data.get("pass_to_pass") or [])


def _workspace_patch(scenario: Scenario, root: Path, *, hidden: bool) -> str:
    """The diff a scenario's solution (or its hidden tests) makes to a fresh copy of the fixture."""
    workspace = prepare_workspace(scenario, root)
    try:
        if hidden:
            copy_hidden_tests(scenario, workspace.path)
        else:
            apply_solution(scenario, workspace.path)
        return workspace.diff(50_000_000).patch
    finally:
        workspace.remove()


def _origin_of(scenario: Scenario) -> tuple[str, str, str, dict[str, str] | None] | None:
    """(repo, base_commit, created_at, package fixture pin), or None when the tree has no name."""
    origin = read_origin(scenario.directory)
    if origin is not None:
        return repo_slug(origin.repo_url, origin.repo), origin.parent, origin.date, None
    fixture = scenario.package_fixture
    if fixture is not None:
        pin: dict[str, str] = {str(fixture.registry): fixture.requirement}
        if fixture.registry == "pypi":
            pin["sha256"] = fixture.digest.removeprefix("sha256:")
        else:
            pin["integrity"] = fixture.digest
        return f"{fixture.registry}:{fixture.name}", fixture.requirement, "", pin
    return None


def export_scenario(scenario: Scenario, workspace_root: Path) -> Exported:
    """One scenario as a SWE-bench instance (or the reason it cannot be one)."""
    where = _origin_of(scenario)
    if where is None:
        return Exported(scenario.id, skipped="its fixture is a folder with no repository and commit")
    if scenario.solution is None:
        return Exported(scenario.id, skipped="it has no solution to export as the patch")
    repo, base, created, pin = where
    solution = scenario.solution
    patch = (
        solution.path.read_text(encoding="utf-8", errors="surrogateescape")
        if solution.kind == "patch"
        else _workspace_patch(scenario, workspace_root, hidden=False)
    )
    mined_tests = scenario.directory / TEST_PATCH_FILE
    test_patch = (
        mined_tests.read_text(encoding="utf-8", errors="surrogateescape")
        if mined_tests.is_file()
        else _workspace_patch(scenario, workspace_root, hidden=True)
        if scenario.hidden_tests_dir is not None
        else ""
    )
    prompts = {tier: resolve_prompt(scenario, tier).text for tier in scenario.tiers}
    f2p, p2p = test_lists(scenario)
    fixture_patch = scenario.package_fixture.patch if scenario.package_fixture else None
    extras = ZebenchExtras(
        suite=scenario.suite,
        scenario=scenario.id,
        title=scenario.title,
        source=scenario.source,
        validation_commands=[
            {"name": c.name, "kind": c.kind, "command": c.command, "timeout": c.timeout_s}
            for c in scenario.validation
        ],
        environment=scenario.environment.model_dump() if scenario.environment else {},
        env=scenario.env,
        fixture=pin,
        setup_patch=fixture_patch.read_text(encoding="utf-8") if fixture_patch else None,
        prompts=prompts,
        evaluators=[
            {
                "name": e.name,
                "weight": e.weight,
                "required": e.required,
                **({"config": e.config} if e.config else {}),
            }
            for e in scenario.evaluators
        ],
    )
    statement = prompts.get("L1") or next(iter(prompts.values()), scenario.title)
    instance = SWEBenchInstance(
        instance_id=scenario.id,
        repo=repo,
        base_commit=base,
        patch=patch,
        test_patch=test_patch,
        problem_statement=statement,
        FAIL_TO_PASS=encode_list(f2p),
        PASS_TO_PASS=encode_list(p2p),
        created_at=created,
        zebench=extras,
    )
    return Exported(scenario.id, instance=instance)


def export_suite(scenarios: list[Scenario], workspace_root: Path) -> Iterator[Exported]:
    for scenario in scenarios:
        yield export_scenario(scenario, workspace_root)


def instance_line(instance: SWEBenchInstance) -> str:
    return json.dumps(instance.model_dump(exclude_none=True), ensure_ascii=False)
