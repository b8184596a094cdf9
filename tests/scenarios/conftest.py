"""Builders for small on-disk suites used by the scenario tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from compat_paths import COMPAT_SUITES

ScenarioMaker = Callable[..., Path]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def suites_dir(tmp_path: Path) -> Path:
    root = tmp_path / "suites"
    root.mkdir()
    return root


@pytest.fixture
def make_scenario(suites_dir: Path) -> ScenarioMaker:
    """Write ``<suites_dir>/<suite>/scenarios/<name>/`` with a scenario.yaml, prompts and a fixture.

    ``prompts`` maps file names to text; ``suite_prompts`` puts them in the ze layout
    ``<suite>/prompts/<name>/`` instead of the scenario's own prompts/ folder.
    """

    def make(
        yaml_text: str,
        *,
        suite: str = "demo",
        name: str = "sample",
        prompts: dict[str, str] | None = None,
        suite_prompts: bool = False,
        fixture: str | None = "repo-fixture",
        files: dict[str, str] | None = None,
        config_name: str = "scenario.yaml",
    ) -> Path:
        directory = suites_dir / suite / "scenarios" / name
        directory.mkdir(parents=True)
        _write(directory / config_name, textwrap.dedent(yaml_text))
        prompt_dir = suites_dir / suite / "prompts" / name if suite_prompts else directory / "prompts"
        for file_name, text in (prompts if prompts is not None else {"L1-basic.md": "Do it.\n"}).items():
            _write(prompt_dir / file_name, text)
        if fixture:
            _write(directory / fixture / "README.txt", "fixture\n")
        for relative, text in (files or {}).items():
            _write(directory / relative, text)
        return directory

    return make


@pytest.fixture
def compat_suites() -> Path:
    if not COMPAT_SUITES.is_dir():
        pytest.skip("the ze-benchmarks compat suites are not available")
    return COMPAT_SUITES
