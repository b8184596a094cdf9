"""``zebench new scenario --from-package``: a scenario on a published release, pinned by its hash.

The release is downloaded with the registry's own client into zebench's cache (so the scenario's
first run needs no second download), its hash is written into scenario.yaml, and the unpacked
archive is searched for tests: some sdists (python-slugify, jmespath) ship none, and a scenario
on them needs its tests from the project's repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zebench.errors import ScenarioError
from zebench.packages.fixtures import materialize_fixture
from zebench.packages.pins import FetchError
from zebench.packages.registry import pin_release
from zebench.scenarios.model import PackageFixture
from zebench.scenarios.raw_models import NPM_PIN, PYPI_PIN
from zebench.scenarios.scaffold import new_scenario_dir, scaffold_package_scenario

TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__"})
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
_SPEC_HINT = "use NAME==VERSION for a PyPI release or npm:NAME@VERSION for an npm one, e.g. toolz==1.1.0"


@dataclass(frozen=True)
class PackageScenario:
    """What ``scaffold_from_package`` made: the scenario folder, its pin and the tests it found."""

    directory: Path
    fixture: PackageFixture
    test_paths: list[str]  # folders (or files) holding the release's tests, relative to its root
    test_files: int


def parse_package_spec(spec: str) -> tuple[str, str, str]:
    """``NAME==VERSION`` → ("pypi", NAME, VERSION); ``npm:NAME@VERSION`` → ("npm", NAME, VERSION)."""
    text = spec.strip()
    if text.startswith("npm:"):
        match = NPM_PIN.match(text.removeprefix("npm:"))
        if match:
            return "npm", match.group(1), match.group(2)
    else:
        match = PYPI_PIN.match(text.removeprefix("pypi:"))
        if match and not match.group(2):  # extras name no other archive
            return "pypi", match.group(1), match.group(3)
    raise ScenarioError(f"expected an exact release, got {spec!r}", field="--from-package", hint=_SPEC_HINT)


def _is_test_file(rel: PurePosixPath, registry: str) -> bool:
    name = rel.name
    in_test_dir = any(part in TEST_DIRS for part in rel.parts[:-1])
    if registry == "pypi":
        return name.endswith(".py") and (
            in_test_dir or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
        )
    if not name.endswith(_JS_SUFFIXES):
        return False
    return in_test_dir or any(f".{kind}." in name for kind in ("test", "spec"))


def _target(rel: PurePosixPath) -> str:
    """What validation points at for a test file: its outermost test folder, else its folder or itself."""
    for index, part in enumerate(rel.parts[:-1]):
        if part in TEST_DIRS:
            return PurePosixPath(*rel.parts[: index + 1]).as_posix()
    return rel.as_posix() if len(rel.parts) == 1 else rel.parent.as_posix()


def find_tests(tree: Path, registry: str) -> tuple[list[str], int]:
    """The release's test folders (or files), outermost only, and how many test files they hold."""
    targets: set[str] = set()
    count = 0
    for folder, dirs, names in os.walk(tree):  # never follows symlinks into other folders
        dirs[:] = [d for d in dirs if d not in ("node_modules", ".git")]
        for name in names:
            rel = PurePosixPath(Path(folder, name).relative_to(tree).as_posix())
            if _is_test_file(rel, registry):
                count += 1
                targets.add(_target(rel))
    outermost = [t for t in targets if not any(t.startswith(f"{other}/") for other in targets)]
    return sorted(outermost), count


def scaffold_from_package(suite: str, name: str, suites_dir: Path, spec: str) -> PackageScenario:
    """Download the release ``spec``, pin it, and scaffold scenario ``name`` of ``suite`` on it.

    Nothing is written when the name is taken or the release cannot be downloaded.
    """
    registry, package, version = parse_package_spec(spec)
    directory = new_scenario_dir(suite, name, suites_dir)
    try:
        fixture = pin_release(registry, package, version, pinned_in=directory / "scenario.yaml")
    except FetchError as exc:
        archive = "an sdist" if registry == "pypi" else "a tarball"
        raise FetchError(
            exc.message,
            field="--from-package",
            hint=f"check the name and version, that the release publishes {archive}, and the network",
        ) from None
    paths, count = find_tests(materialize_fixture(fixture), registry)
    scaffold_package_scenario(suite, name, suites_dir, fixture, paths)
    return PackageScenario(directory, fixture, paths, count)
