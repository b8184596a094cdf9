from __future__ import annotations

import json
from pathlib import Path

from ws_helpers import MakeScenario, write

from zebench.results.models import DependencyChange
from zebench.workspace import prepare_workspace


def _changes(diff_changes: list[DependencyChange]) -> set[tuple[str, str, str, str | None, str | None]]:
    return {(c.file, c.section, c.name, c.before, c.after) for c in diff_changes}


def test_package_json_changes(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    before = {
        "name": "app",
        "dependencies": {"react": "18.2.0", "left-pad": "^1.0.0"},
        "devDependencies": {"typescript": "^5.5.4"},
        "peerDependencies": {"react-dom": ">=18"},
    }
    write(fx, "apps/web/package.json", json.dumps(before, indent=2))
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    after = {
        "name": "app",
        "version": "2.0.0",
        "dependencies": {"react": "19.0.0", "zod": "^3.23.0"},
        "devDependencies": {"typescript": "^5.5.4"},
        "optionalDependencies": {"fsevents": "^2.3.3"},
    }
    write(ws.path, "apps/web/package.json", json.dumps(after, indent=4))
    assert _changes(ws.diff().dependency_changes) == {
        ("apps/web/package.json", "dependencies", "react", "18.2.0", "19.0.0"),
        ("apps/web/package.json", "dependencies", "left-pad", "^1.0.0", None),
        ("apps/web/package.json", "dependencies", "zod", None, "^3.23.0"),
        ("apps/web/package.json", "peerDependencies", "react-dom", ">=18", None),
        ("apps/web/package.json", "optionalDependencies", "fsevents", None, "^2.3.3"),
    }


PYPROJECT_BEFORE = """
[project]
name = "demo"
dependencies = ["Requests>=2.0", "typing_extensions"]

[project.optional-dependencies]
test = ["pytest>=7"]

[tool.poetry.dependencies]
python = "^3.11"
Django = "^4.2"

[tool.poetry.dev-dependencies]
black = "^23"

[tool.poetry.group.docs.dependencies]
mkdocs = "^1.5"

[dependency-groups]
lint = ["ruff>=0.4", {include-group = "test"}]
"""

PYPROJECT_AFTER = """
[project]
name = "demo"
dependencies = ["requests>=2.32", "Typing-Extensions", "httpx[http2]>=0.27"]

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.poetry.dependencies]
python = "^3.12"
django = {version = "^5.0", extras = ["argon2"]}

[tool.poetry.dev-dependencies]
black = "^23"

[tool.poetry.group.docs.dependencies]

[dependency-groups]
lint = ["ruff>=0.5"]
"""


def test_pyproject_changes(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    write(fx, "pyproject.toml", PYPROJECT_BEFORE)
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    write(ws.path, "pyproject.toml", PYPROJECT_AFTER)
    assert _changes(ws.diff().dependency_changes) == {
        ("pyproject.toml", "project.dependencies", "requests", ">=2.0", ">=2.32"),
        ("pyproject.toml", "project.dependencies", "httpx", None, "[http2]>=0.27"),
        ("pyproject.toml", "project.optional-dependencies.test", "pytest", ">=7", ">=8"),
        (
            "pyproject.toml",
            "tool.poetry.dependencies",
            "django",
            "^4.2",
            '{"extras":["argon2"],"version":"^5.0"}',
        ),
        ("pyproject.toml", "tool.poetry.group.docs.dependencies", "mkdocs", "^1.5", None),
        ("pyproject.toml", "dependency-groups.lint", "ruff", ">=0.4", ">=0.5"),
    }


def test_requirements_changes_and_new_and_deleted_files(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    write(
        fx, "requirements.txt", "# pinned\nFlask==2.3.0  # web\nnumpy>=1.26\n-r requirements-dev.txt\nrich\n"
    )
    write(fx, "requirements-old.txt", "six==1.16\n")
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    write(ws.path, "requirements.txt", "flask==3.0.0\nnumpy>=1.26\n--index-url https://example.invalid\n")
    write(ws.path, "requirements-dev.txt", "pytest==8.2 \\\n  ; python_version >= '3.8'\n")
    (ws.path / "requirements-old.txt").unlink()
    assert _changes(ws.diff().dependency_changes) == {
        ("requirements.txt", "requirements", "flask", "==2.3.0", "==3.0.0"),
        ("requirements.txt", "requirements", "rich", "*", None),
        ("requirements-dev.txt", "requirements", "pytest", None, '==8.2; python_version >= "3.8"'),
        ("requirements-old.txt", "requirements", "six", "==1.16", None),
    }


def test_broken_manifest_is_a_warning_not_a_crash(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    write(fx, "package.json", '{"dependencies": {"a": "1"}}')
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    write(ws.path, "package.json", '{"dependencies": {"a": ')
    diff = ws.diff()
    assert diff.dependency_changes == []
    assert len(diff.warnings) == 1 and diff.warnings[0].startswith("package.json: ")
