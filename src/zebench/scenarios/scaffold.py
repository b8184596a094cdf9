"""Create new suites and scenarios on disk, ready to edit."""

from __future__ import annotations

import re
from pathlib import Path

import zebench.scenarios._scaffold_files as files
from zebench.errors import ScenarioError
from zebench.scenarios.model import PackageFixture

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_name(name: str, what: str) -> None:
    if not NAME_RE.match(name):
        raise ScenarioError(
            f"invalid {what} name '{name}'",
            field=what,
            hint="use kebab-case: lowercase letters and digits separated by single dashes, e.g. fix-login",
        )


def scaffold_suite(name: str, suites_dir: Path) -> Path:
    """Create ``<suites_dir>/<name>/scenarios/`` and return the suite folder; refuses an existing suite."""
    check_name(name, "suite")
    suite_dir = Path(suites_dir) / name
    if suite_dir.exists():
        raise ScenarioError("the suite already exists", file=suite_dir, hint="pick another name")
    (suite_dir / "scenarios").mkdir(parents=True)
    return suite_dir


def new_scenario_dir(suite: str, name: str, suites_dir: Path) -> Path:
    """Where ``scaffold_*`` would create scenario ``name`` of ``suite``; refuses bad names and existing ones."""
    check_name(suite, "suite")
    check_name(name, "scenario")
    scenario_dir = Path(suites_dir) / suite / "scenarios" / name
    if scenario_dir.exists():
        raise ScenarioError("the scenario already exists", file=scenario_dir, hint="pick another name")
    return scenario_dir


def _write(scenario_dir: Path, contents: dict[str, str]) -> None:
    for relative, text in contents.items():
        target = scenario_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def scaffold_scenario(suite: str, name: str, suites_dir: Path) -> Path:
    """Create a working design-format scenario ``<suites_dir>/<suite>/scenarios/<name>/`` and return it.

    It has a commented scenario.yaml, L0-L2 prompts, a stdlib-only Python fixture with one failing
    unittest, the fixing solution/ and an empty oracle-answers.json. The suite is created if missing.
    """
    scenario_dir = new_scenario_dir(suite, name, suites_dir)
    title = name.replace("-", " ").capitalize()
    _write(
        scenario_dir,
        {
            "scenario.yaml": files.SCENARIO_YAML.format(suite=suite, name=name, title=title),
            "prompts/L0-minimal.md": files.PROMPT_L0,
            "prompts/L1-basic.md": files.PROMPT_L1,
            "prompts/L2-directed.md": files.PROMPT_L2,
            "repo-fixture/slugs.py": files.FIXTURE_MODULE,
            "repo-fixture/tests/test_slugs.py": files.FIXTURE_TEST,
            "solution/slugs.py": files.SOLUTION_MODULE,
            "oracle-answers.json": files.ORACLE_ANSWERS,
        },
    )
    return scenario_dir


def scaffold_package_scenario(
    suite: str, name: str, suites_dir: Path, fixture: PackageFixture, test_paths: list[str]
) -> Path:
    """Create a scenario whose code is the pinned package ``fixture`` and return its folder.

    ``test_paths`` are the package's test folders or files (empty when the archive ships none);
    validation runs them. The prompts are placeholders and there is no solution yet: the scenario
    loads and runs, and ``zebench check`` proves it once the prompts and solution.patch are written.
    """
    scenario_dir = new_scenario_dir(suite, name, suites_dir)
    python = fixture.registry == "pypi"
    pin = (
        f'{{pypi: "{fixture.requirement}", sha256: "{fixture.pin_value}"}}'
        if python
        else f'{{npm: "{fixture.requirement}", integrity: "{fixture.pin_value}"}}'
    )
    targets = " ".join(test_paths) or ("tests" if python else "test")
    text = (files.PACKAGE_SCENARIO_YAML_PYPI if python else files.PACKAGE_SCENARIO_YAML_NPM).format(
        suite=suite,
        name=name,
        requirement=fixture.requirement,
        fixture=pin,
        targets=targets,
        tests_note=files.TESTS_FOUND if test_paths else files.NO_TESTS,
    )
    _write(
        scenario_dir,
        {
            "scenario.yaml": text,
            "prompts/L0-minimal.md": files.PACKAGE_PROMPT.format(tier="L0: one line"),
            "prompts/L1-basic.md": files.PACKAGE_PROMPT.format(tier="L1: the issue report"),
            "prompts/L2-directed.md": files.PACKAGE_PROMPT.format(tier="L2: the report plus where to look"),
            "oracle-answers.json": files.ORACLE_ANSWERS,
        },
    )
    return scenario_dir
