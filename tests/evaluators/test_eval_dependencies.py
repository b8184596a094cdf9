"""The ``dependencies`` evaluator: npm ranges, PEP 440 specifiers, every declaration checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from evalkit import MakeCtx, write_files

from zebench.evaluators import get_evaluator
from zebench.evaluators.builtin.declarations import (
    find_declarations,
    npm_lowest_version,
    pep440_lowest_version,
)
from zebench.evaluators.builtin.dependencies import npm_satisfies, pep440_satisfies
from zebench.scenarios.model import Targets


def _pkg(deps: dict | None = None, dev: dict | None = None, peer: dict | None = None) -> str:
    data: dict = {"name": "x", "version": "1.0.0"}
    if deps:
        data["dependencies"] = deps
    if dev:
        data["devDependencies"] = dev
    if peer:
        data["peerDependencies"] = peer
    return json.dumps(data, indent=2)


def _evaluate(make_ctx: MakeCtx, ws: Path, required: list, optional: list | None = None):
    targets = Targets.model_validate({"required": required, "optional": optional or []})
    return get_evaluator("dependencies").evaluate(make_ctx("dependencies", ws, targets=targets))


@pytest.mark.parametrize(
    ("spec", "lowest"),
    [
        ("^5.5.4", "5.5.4"),
        ("~20.0.0", "20.0.0"),
        ("18.2.0", "18.2.0"),
        ("v18.2.0", "18.2.0"),
        (">=1.2 <2", "1.2.0"),
        ("<2 >=1.5.0", "1.5.0"),
        ("1.x", "1.0.0"),
        ("1.2.3 - 2.0.0", "1.2.3"),
        ("^2.0.0 || ^1.4.0", "1.4.0"),
        (">1.2.3", "1.2.4"),
        ("workspace:*", None),
        ("latest", None),
        ("git+https://github.com/a/b.git", None),
        ("*", None),
        ("npm:react@^18.1.0", "18.1.0"),
    ],
)
def test_npm_lowest_version(spec: str, lowest: str | None) -> None:
    assert npm_lowest_version(spec) == lowest


@pytest.mark.parametrize(
    ("spec", "lowest"),
    [
        ("==2.32.3", "2.32.3"),
        (">=2.32", "2.32"),
        (">=2.0,<3", "2.0"),
        ("~=1.4.2", "1.4.2"),
        ("<3", None),
        ("^2.1", "2.1"),
    ],
)
def test_pep440_lowest_version(spec: str, lowest: str | None) -> None:
    assert pep440_lowest_version(spec) == lowest


@pytest.mark.parametrize(
    ("version", "target", "ok"),
    [
        ("18.2.0", "^18.0.0", True),
        ("17.0.2", "^18.0.0", False),
        ("18.2.0", ">=18 <19", True),
        ("19.0.0", ">=18 <19", False),
        ("1.5.0", "1.x || 3.x", True),
        ("2.5.0", "1.2.3 - 2.3.4", False),
        ("20.0.4", "~20.0.0", True),
    ],
)
def test_npm_satisfies(version: str, target: str, ok: bool) -> None:
    assert npm_satisfies(version, target) is ok


def test_pep440_satisfies() -> None:
    assert pep440_satisfies("2.32.3", ">=2.32,<3")
    assert not pep440_satisfies("2.31", ">=2.32,<3")
    assert pep440_satisfies("2.32.3", "2.32.3")


def test_npm_targets_across_a_monorepo(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(
        ws,
        {
            "package.json": _pkg(deps={"react": "^18.2.0"}, dev={"typescript": "~5.4.0"}),
            "apps/web/package.json": _pkg(deps={"react": "^17.0.2"}, peer={"react-dom": "18.2.0"}),
            "libs/ui/package.json": _pkg(deps={"react": "workspace:*"}),
            "node_modules/react/package.json": _pkg(deps={"react": "^16.0.0"}),
        },
    )
    ev = _evaluate(
        make_ctx,
        ws,
        required=[
            {"name": "react", "to": "^18.0.0"},
            {"name": "typescript", "to": ">=5.4.0 <6"},
            {"name": "vite", "to": "^5"},
        ],
        optional=[{"name": "react-dom", "to": "^18"}],
    )
    assert ev.status == "scored"
    assert ev.score == pytest.approx(1 / 3)
    assert ev.summary == "1/3 required dependency targets met; not met: react, vite"
    react, ts, vite = ev.details["required"]
    files = [d["file"] for d in react["declarations"]]
    assert files == ["package.json", "apps/web/package.json", "libs/ui/package.json"]
    failing = {d["file"]: d["reason"] for d in react["declarations"] if not d["ok"]}
    assert "does not satisfy" in failing["apps/web/package.json"]
    assert "unknown" in failing["libs/ui/package.json"]
    assert ts["met"] and ts["declarations"][0]["section"] == "devDependencies"
    assert vite["reason"] == "vite is not declared anywhere"
    assert ev.details["optional"][0]["met"] is True


def test_pep440_targets_in_requirements_and_pyproject(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(
        ws,
        {
            "requirements.txt": "# pinned\nrequests==2.32.3  # http\n-r requirements-dev.txt\n",
            "requirements-dev.txt": "pytest>=8.0\n",
            "pyproject.toml": (
                "[project]\nname='x'\ndependencies=['Requests>=2.32', 'pydantic>=1.10,<3']\n"
                "[project.optional-dependencies]\nfast=['orjson>=3.9']\n"
                "[dependency-groups]\ndev=['pytest>=7.4', {include-group='x'}]\n"
                "[tool.poetry.group.docs.dependencies]\nmkdocs = {version = '^1.5'}\n"
            ),
        },
    )
    ev = _evaluate(
        make_ctx,
        ws,
        required=[
            {"name": "requests", "to": ">=2.32,<3"},
            {"name": "pydantic", "to": ">=2"},
            {"name": "pytest", "to": ">=8"},
            {"name": "mkdocs", "to": ">=1.5"},
            {"name": "orjson", "to": "^3.9"},
        ],
    )
    results = {t["name"]: t for t in ev.details["required"]}
    assert results["requests"]["met"], results["requests"]
    assert len(results["requests"]["declarations"]) == 2
    assert not results["pydantic"]["met"] and "lowest 1.10" in results["pydantic"]["reason"]
    pytest_decls = {d["file"]: d for d in results["pytest"]["declarations"]}
    assert pytest_decls["requirements-dev.txt"]["ok"] and not pytest_decls["pyproject.toml"]["ok"]
    assert results["mkdocs"]["met"]
    assert "not a PEP 440 specifier" in results["orjson"]["reason"]
    assert ev.score == pytest.approx(2 / 5)


def test_find_declarations_normalises_python_names(tmp_path: Path) -> None:
    write_files(tmp_path, {"requirements.txt": "Typing_Extensions>=4.8\n"})
    [decl] = find_declarations(tmp_path, ["typing-extensions"])
    assert (decl.name, decl.spec, decl.version) == ("typing-extensions", ">=4.8", "4.8")


def test_no_targets_is_skipped(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ev = _evaluate(make_ctx, tmp_path, required=[])
    assert ev.status == "skipped" and ev.score is None
    only_optional = _evaluate(make_ctx, tmp_path, required=[], optional=[{"name": "x", "to": "^1"}])
    assert only_optional.status == "skipped" and only_optional.details["optional"][0]["met"] is False


def test_every_package_requires_the_target_in_each_workspace_manifest(
    make_ctx: MakeCtx, tmp_path: Path
) -> None:
    """The original's rule for monorepos: root and each workspace package must declare the target."""
    ws = tmp_path / "ws"
    write_files(
        ws,
        {
            "package.json": _pkg(dev={"typescript": "^5.5.4"}),
            "apps/app/package.json": _pkg(deps={"react": "18.2.0"}),
            "libs/util/package.json": _pkg(dev={"typescript": "^5.6.0"}),
            "node_modules/x/package.json": _pkg(),  # dependency folders never count
        },
    )
    targets = Targets.model_validate({"required": [{"name": "typescript", "to": ">=5.5 <6"}]})
    loose = get_evaluator("dependencies").evaluate(make_ctx("dependencies", ws, targets=targets))
    strict = get_evaluator("dependencies").evaluate(
        make_ctx("dependencies", ws, targets=targets, config={"every_package": True})
    )
    assert loose.passed and loose.score == 1.0
    assert not strict.passed and strict.score == 0.0
    assert strict.details["required"][0]["reason"] == "apps/app/package.json: not declared"
    write_files(ws, {"apps/app/package.json": _pkg(dev={"typescript": "~5.5.4"})})
    fixed = get_evaluator("dependencies").evaluate(
        make_ctx("dependencies", ws, targets=targets, config={"every_package": True})
    )
    assert fixed.passed
