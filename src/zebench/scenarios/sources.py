"""Where a scenario's code comes from: a fixture folder, or a published package pinned by hash.

Turns the raw ``fixture:`` and ``environment:`` keys into :class:`PackageFixture` and
:class:`ScenarioEnvironment`. Nothing is downloaded here: loading a scenario stays offline and
cheap; :mod:`zebench.packages` fetches and caches when a run or ``zebench fetch`` needs the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zebench.errors import ScenarioError
from zebench.scenarios.model import PackageFixture, ScenarioEnvironment, WorkspaceLimits
from zebench.scenarios.raw_models import NPM_PIN, PYPI_PIN, RawFixture, Sourced

FIXTURE_DIRS = ("repo", "repo-fixture")  # repo/ wins when both exist, as in the original
SETUP_PATCH = "setup.patch"


def fixture_folder(directory: Path, required: bool, config_file: Path) -> Path | None:
    """The scenario's fixture folder (``repo/`` or ``repo-fixture/``); an error when it must exist."""
    if not required:
        return None
    for name in FIXTURE_DIRS:
        candidate = directory / name
        if candidate.is_dir():
            return candidate
    raise ScenarioError(
        "the scenario has no fixture folder",
        file=directory,
        field="workspace.required",
        hint=f"add a repo-fixture/ folder or set workspace.required: false in {config_file.name} "
        "(or take the code from a package: fixture: {pypi: NAME==VERSION, sha256: …})",
    )


def package_fixture(raw: RawFixture, directory: Path, config_file: Path) -> PackageFixture:
    """The validated package fixture, its setup patch resolved inside the scenario folder."""
    for name in FIXTURE_DIRS:
        if (directory / name).is_dir():
            raise ScenarioError(
                f"both fixture: and a {name}/ folder say where the code comes from",
                file=config_file,
                field="fixture",
                hint=f"remove the fixture: key or the {name}/ folder",
            )
    if raw.pypi is not None:
        match = PYPI_PIN.match(raw.pypi)
        assert match is not None and raw.sha256 is not None  # checked by RawFixture
        registry, name, version, digest = "pypi", match.group(1), match.group(3), f"sha256:{raw.sha256}"
    else:
        match = NPM_PIN.match(raw.npm or "")
        assert match is not None and raw.integrity is not None  # checked by RawFixture
        registry, name, version, digest = "npm", match.group(1), match.group(2), raw.integrity
    return PackageFixture(
        registry=registry,  # type: ignore[arg-type]
        name=name,
        version=version,
        digest=digest,
        patch=_setup_patch(raw.patch, directory, config_file),
        pinned_in=config_file,
    )


def _setup_patch(configured: str | None, directory: Path, config_file: Path) -> Path | None:
    if configured is None:
        default = directory / SETUP_PATCH
        return default if default.is_file() else None
    path = (directory / configured).resolve()
    if not path.is_relative_to(directory.resolve()) or not path.is_file():
        raise ScenarioError(
            f"the setup patch {configured} is not a file inside the scenario folder",
            file=config_file,
            field="fixture.patch",
            hint=f"put the patch beside {config_file.name} (default name: {SETUP_PATCH})",
        )
    return path


def sourced_fields(raw: Sourced, *, directory: Path, config_file: Path, required: bool) -> dict[str, Any]:
    """The Scenario fields that say where the code and the tools come from (either format)."""
    fixture, environment, source = raw.fixture, raw.environment, raw.source
    limits = (
        WorkspaceLimits(**raw.workspace_limits.model_dump(exclude_none=True))
        if raw.workspace_limits
        else None
    )
    env = None
    if environment is not None:
        env = ScenarioEnvironment(python=environment.python, npm=environment.npm)
    if fixture is not None:
        return {
            "fixture_dir": None,
            "package_fixture": package_fixture(fixture, directory, config_file),
            "environment": env,
            "source": source,
            **({"workspace_limits": limits} if limits else {}),
        }
    if (directory / SETUP_PATCH).is_file():
        raise ScenarioError(
            f"{SETUP_PATCH} is applied only to package fixtures, and this scenario has none",
            file=directory / SETUP_PATCH,
            hint="add fixture: {pypi: NAME==VERSION, sha256: …} or apply the patch to repo-fixture/",
        )
    return {
        "fixture_dir": fixture_folder(directory, required, config_file),
        "package_fixture": None,
        "environment": env,
        "source": source,
        **({"workspace_limits": limits} if limits else {}),
    }
