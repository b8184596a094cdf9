"""Fixtures for workspace tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from ws_helpers import MakeScenario

from zebench.scenarios.model import Scenario, Solution


@pytest.fixture
def make_scenario(tmp_path: Path) -> MakeScenario:
    """Build a Scenario whose folder lives in tmp_path/scenario."""

    def _make(
        fixture: Path | None = None,
        solution: tuple[str, Path] | None = None,
        hidden_tests: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Scenario:
        directory = tmp_path / "scenario"
        directory.mkdir(exist_ok=True)
        config = directory / "scenario.yaml"
        config.write_text("id: demo\n", encoding="utf-8")
        return Scenario(
            id="demo",
            suite="suite one",
            title="Demo",
            format="design",
            directory=directory,
            config_file=config,
            fixture_dir=fixture,
            solution=Solution(kind=solution[0], path=solution[1]) if solution else None,  # type: ignore[arg-type]
            hidden_tests_dir=hidden_tests,
            env=env or {},
        )

    return _make
