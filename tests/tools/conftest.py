"""Fixtures for tool tests: a real workspace folder with a sibling ``<ws>-evil`` and outside files."""

from __future__ import annotations

from pathlib import Path

import pytest

from zebench.commands import LocalCommandRunner
from zebench.results.trajectory import Trajectory
from zebench.tools import OracleAnswers, Toolbox


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hi')\n", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    evil = tmp_path / "ws-evil"
    evil.mkdir()
    (evil / "secret.txt").write_text("sibling secret\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("outside secret\n", encoding="utf-8")
    return root


@pytest.fixture
def box(ws: Path) -> Toolbox:
    return Toolbox(
        ws,
        trajectory=Trajectory(),
        command_runner=LocalCommandRunner(),
        oracle=OracleAnswers({"assume_risk_for_major_bumps": "Yes, accept the risk.", "Use pnpm?": "Yes."}),
    )
