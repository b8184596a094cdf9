"""Every package the product imports is declared by the install path that reaches the import.

A plain ``pip install .`` gets ``[project.dependencies]`` only. An import of a package that only an
extra provides must sit in a ``try`` whose handler catches ImportError, so the user gets a hint
instead of a crash. The ``dev`` extra is never enough: it once hid ``import httpx`` in the LLM
clients, which broke every API agent for users who followed the README.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "zebench"
# Fixture code of the bundled suites is what agents work on, not what zebench runs.
EXCLUDED = (SRC / "suites",)
DEV_EXTRAS = frozenset({"dev"})


@dataclass(frozen=True)
class ImportSite:
    file: Path
    line: int
    module: str  # the top-level name, e.g. "httpx"
    guarded: bool  # inside try/except ImportError
    type_only: bool  # inside `if TYPE_CHECKING:`


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"unparsable requirement {requirement!r} in pyproject.toml"
    return _canonical(match.group(1))


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """Runtime distributions, and each extra's distributions, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    extras = {
        extra: {_requirement_name(r) for r in requirements}
        for extra, requirements in project.get("optional-dependencies", {}).items()
    }
    return runtime, extras


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False  # a bare except hides every error, not just a missing package
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = [n.id for n in nodes if isinstance(n, ast.Name)]
    return bool({"ImportError", "ModuleNotFoundError"} & set(names))


class _Collector(ast.NodeVisitor):
    def __init__(self, file: Path) -> None:
        self.file = file
        self.sites: list[ImportSite] = []
        self._guarded = 0
        self._type_only = 0

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_catches_import_error(h) for h in node.handlers)
        self._guarded += guarded
        for child in node.body:
            self.visit(child)
        self._guarded -= guarded
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        type_only = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        self._type_only += type_only
        for child in node.body:
            self.visit(child)
        self._type_only -= type_only
        for child in node.orelse:
            self.visit(child)

    def _add(self, node: ast.AST, name: str) -> None:
        top = name.split(".")[0]
        if top == "zebench" or top in sys.stdlib_module_names:
            return
        self.sites.append(
            ImportSite(self.file, getattr(node, "lineno", 0), top, self._guarded > 0, self._type_only > 0)
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node, node.module)


def import_sites(root: Path = SRC) -> list[ImportSite]:
    """Every third-party import under ``root``, at module level or nested in functions."""
    sites: list[ImportSite] = []
    for file in sorted(root.rglob("*.py")):
        if any(file.is_relative_to(excluded) for excluded in EXCLUDED):
            continue
        collector = _Collector(file)
        collector.visit(ast.parse(file.read_text(), filename=str(file)))
        sites.extend(collector.sites)
    return sites


def problems(sites: list[ImportSite], runtime: set[str], extras: dict[str, set[str]]) -> list[str]:
    """What is wrong with ``sites``: one line per import no install path declares."""
    providers = importlib.metadata.packages_distributions()
    found: list[str] = []
    for site in sites:
        if site.type_only:
            continue
        where = f"{site.file.relative_to(ROOT)}:{site.line}"
        dists = {_canonical(d) for d in providers.get(site.module, [])}
        if not dists:
            found.append(f"{where}: no installed distribution provides '{site.module}'")
            continue
        if dists & runtime:
            continue
        shipped = sorted(e for e, names in extras.items() if dists & names and e not in DEV_EXTRAS)
        if not shipped:
            found.append(
                f"{where}: '{site.module}' ({', '.join(sorted(dists))}) is not in [project.dependencies]"
                " nor in a user-facing extra; declare it or use what the dependencies provide"
            )
        elif not site.guarded:
            found.append(
                f"{where}: '{site.module}' comes only with the extra(s) {shipped}; import it inside"
                " try/except ImportError and tell the user which extra to install"
            )
    return found


def test_every_import_is_declared_by_its_install_path() -> None:
    runtime, extras = declared()
    sites = import_sites()
    assert len({s.module for s in sites}) > 10, "the collector found too few imports to be working"
    assert problems(sites, runtime, extras) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import httpx\n", "is not in [project.dependencies]"),
        ("def f():\n    import httpx  # lazy is not declared\n", "is not in [project.dependencies]"),
        ("def f():\n    from distributed import Client\n", "comes only with the extra(s) ['distributed']"),
        ("import zz_not_installed_anywhere\n", "no installed distribution provides"),
    ],
)
def test_the_check_catches_undeclared_imports(source: str, expected: str) -> None:
    """The audit itself fails on the bug it exists for (``import httpx`` put back)."""
    runtime, extras = declared()
    collector = _Collector(SRC / "llm" / "_probe_for_test.py")  # a path inside the tree, never written
    collector.visit(ast.parse(source))
    found = problems(collector.sites, runtime, extras)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    from distributed import Client\nexcept ImportError:\n    Client = None\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import httpx\n",
        "import yaml\nimport os\n",
    ],
)
def test_the_check_accepts_declared_and_guarded_imports(source: str) -> None:
    runtime, extras = declared()
    collector = _Collector(SRC / "llm" / "_probe_for_test.py")
    collector.visit(ast.parse(source))
    assert problems(collector.sites, runtime, extras) == []


def test_the_dev_extra_never_counts() -> None:
    """httpx is installed here only by the dev extra: the audit must not take it as declared."""
    runtime, extras = declared()
    assert "httpx" not in runtime
    assert all("httpx" not in names for extra, names in extras.items() if extra not in DEV_EXTRAS)
