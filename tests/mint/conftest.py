"""Fixtures for the mint tests: a writable copy of the original's templates and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from mint_helpers import ORIGINAL_TEMPLATES
from typer.testing import CliRunner

from zebench.cli.mint import mint_app


@pytest.fixture
def originals(tmp_path: Path) -> Path:
    """A writable copy of the original's templates folder."""
    target = tmp_path / "templates"
    shutil.copytree(ORIGINAL_TEMPLATES, target)
    for path in target.iterdir():
        path.chmod(0o644)
    target.chmod(0o755)
    return target


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(mint_app, name="mint")

    @app.callback()
    def _root() -> None:
        """Test root."""

    return app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
