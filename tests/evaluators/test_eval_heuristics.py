"""The ``heuristic_checks`` evaluator: all five kinds, weights, confinement and skipping."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from evalkit import MakeCtx, write_files

from zebench.evaluators import get_evaluator
from zebench.safefs.glob import glob_regex
from zebench.scenarios.model import HeuristicChecks

OPENAPI = {
    "openapi": "3.0.0",
    "info": {"version": "2.1.0"},
    "paths": {"/users": {"get": {"summary": "list"}}},
}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write_files(
        root,
        {
            "openapi.json": json.dumps(OPENAPI),
            "config/app.yaml": "server:\n  port: 8080\n",
            "config/tool.toml": "[tool.app]\nmode = 'strict'\n",
            "README.md": "# Project\n\n## Migration Guide\n\nSteps.\n",
            "src/app.py": "import os\n\ndef main():\n    return os.getcwd()\n",
            "src/deep/util.py": "def helper():\n    pass\n",
            "node_modules/lib/index.py": "def main(): pass\n",
            "scripts/check.sh": '#!/bin/sh\n[ "$1" = "upgrade-react" ] && [ "$2" = "demo" ]\n',
        },
    )
    os.chmod(root / "scripts/check.sh", 0o755)
    return root


def _evaluate(make_ctx: MakeCtx, ws: Path, checks: dict):
    ctx = make_ctx("heuristic_checks", ws, heuristic_checks=HeuristicChecks.model_validate(checks))
    return get_evaluator("heuristic_checks").evaluate(ctx)


def _by_name(ev) -> dict[str, dict]:
    return {c["name"]: c for c in ev.details["checks"]}


def test_every_kind_passing(make_ctx: MakeCtx, ws: Path) -> None:
    ev = _evaluate(
        make_ctx,
        ws,
        {
            "commands": [{"name": "py", "command": "test -f src/app.py"}],
            "files": [
                {"name": "app", "path": "src/app.py"},
                {"name": "no-legacy", "path": "src/legacy.py", "exists": False},
            ],
            "patterns": [
                {"name": "main", "file": "src/**/*.py", "pattern": r"^def main\(\):$"},
                {"name": "no-print", "file": "**/*.py", "pattern": r"print\(", "should_match": False},
            ],
            "structured": [
                {"name": "users-get", "file": "openapi.json", "json_path": "$.paths['/users'].get"},
                {"name": "version", "file": "openapi.json", "json_path": "$.info.version", "equals": "2.1.0"},
                {
                    "name": "no-admin",
                    "file": "openapi.json",
                    "json_path": "$.paths['/admin']",
                    "exists": False,
                },
                {"name": "port", "file": "config/app.yaml", "json_path": "$.server.port", "equals": 8080},
                {
                    "name": "toml",
                    "file": "config/tool.toml",
                    "json_path": "$.tool.app.mode",
                    "equals": "strict",
                },
                {"name": "guide", "file": "README.md", "section_header": "Migration guide"},
            ],
            "scripts": [
                {
                    "name": "script",
                    "script": "scripts/check.sh",
                    "args": ["${scenario.id}", "${scenario.suite}"],
                }
            ],
        },
    )
    assert ev.status == "scored"
    assert ev.score == 1.0 and ev.passed, ev.details
    assert ev.summary == "12/12 checks passed"
    first = ev.details["checks"][0]
    assert set(first) == {"kind", "name", "weight", "passed", "error", "description"}


def test_weighted_failures_with_reasons(make_ctx: MakeCtx, ws: Path) -> None:
    ev = _evaluate(
        make_ctx,
        ws,
        {
            "commands": [{"name": "fails", "command": "echo nope >&2; exit 4", "weight": 2.0}],
            "files": [{"name": "missing", "path": "docs/GUIDE.md", "weight": 1.0, "description": "a guide"}],
            "patterns": [
                {"name": "no-files", "file": "lib/**/*.ts", "pattern": "x"},
                {"name": "os-used", "file": "src/*.py", "pattern": "import os", "should_match": False},
            ],
            "structured": [
                {
                    "name": "post",
                    "file": "openapi.json",
                    "json_path": "$.paths['/users'].post",
                    "weight": 3.0,
                },
                {"name": "wrong", "file": "openapi.json", "json_path": "$.info.version", "equals": "3.0.0"},
                {"name": "present", "file": "README.md", "section_header": "Project", "weight": 4.0},
            ],
        },
    )
    checks = _by_name(ev)
    assert checks["fails"]["error"].startswith("exit 4") and "nope" in checks["fails"]["error"]
    assert checks["missing"]["error"] == "docs/GUIDE.md does not exist"
    assert checks["missing"]["description"] == "a guide"
    assert checks["no-files"]["error"] == "no files matched lib/**/*.ts"
    assert "src/app.py" in checks["os-used"]["error"]
    assert "not found" in checks["post"]["error"]
    assert "expected '3.0.0'" in checks["wrong"]["error"]
    assert checks["present"]["passed"]
    assert ev.score == pytest.approx(4.0 / 13.0)
    assert ev.passed is False


def test_node_modules_and_git_are_not_searched(make_ctx: MakeCtx, ws: Path) -> None:
    ev = _evaluate(make_ctx, ws, {"patterns": [{"name": "nm", "file": "**/index.py", "pattern": "main"}]})
    assert _by_name(ev)["nm"]["error"] == "no files matched **/index.py"


def test_paths_outside_the_workspace_fail(make_ctx: MakeCtx, ws: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    ev = _evaluate(
        make_ctx,
        ws,
        {
            "files": [{"name": "escape", "path": "../secret.txt"}],
            "structured": [{"name": "abs", "file": str(tmp_path / "secret.txt")}],
            "scripts": [{"name": "sh", "script": "/bin/true"}],
        },
    )
    checks = _by_name(ev)
    for name in ("escape", "abs", "sh"):
        assert "outside the workspace" in checks[name]["error"]
    assert ev.score == 0.0


def test_bad_regex_and_bad_json_fail_one_check_only(make_ctx: MakeCtx, ws: Path) -> None:
    (ws / "broken.json").write_text("{not json")
    ev = _evaluate(
        make_ctx,
        ws,
        {
            "patterns": [{"name": "bad-re", "file": "src/*.py", "pattern": "("}],
            "structured": [{"name": "bad-json", "file": "broken.json", "json_path": "$.a"}],
            "files": [{"name": "ok", "path": "README.md"}],
        },
    )
    checks = _by_name(ev)
    assert "missing ), unterminated subpattern" in checks["bad-re"]["error"]
    assert not checks["bad-json"]["passed"]
    assert ev.status == "scored" and ev.score == pytest.approx(1 / 3)


def test_no_checks_or_disabled_is_skipped(make_ctx: MakeCtx, ws: Path) -> None:
    assert get_evaluator("heuristic_checks").evaluate(make_ctx("heuristic_checks", ws)).status == "skipped"
    disabled = _evaluate(make_ctx, ws, {"enabled": False, "files": [{"name": "a", "path": "README.md"}]})
    assert disabled.status == "skipped" and disabled.score is None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*.py", "a.py", True),
        ("**/*.py", "a/b/c.py", True),
        ("src/*.py", "src/a/b.py", False),
        ("src/**", "src/a/b.py", True),
        ("*.{js,ts}", "x.ts", True),
        ("test_?.py", "test_1.py", True),
        ("[!a]b.txt", "cb.txt", True),
        ("./README.md", "README.md", True),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches
