"""Find where a dependency is declared in a workspace, and the lowest version each declaration admits.

Covers every package.json (dependencies, devDependencies, peerDependencies, optionalDependencies),
requirements*.txt, and pyproject.toml (PEP 621, optional-dependencies, Poetry groups, PEP 735
dependency-groups). Folders named .git, node_modules and virtualenvs are never walked.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import semantic_version as sv
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from pydantic import BaseModel

from zebench.safefs import UnsafeFileError, WalkReport, read_text, walk_files

Ecosystem = Literal["npm", "python"]
_MANIFEST_CAP = 4 * 1024 * 1024
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
NPM_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


class Declaration(BaseModel):
    """One place a package is declared, with its spec and the lowest version that spec admits."""

    file: str
    section: str
    name: str
    spec: str
    ecosystem: Ecosystem
    version: str | None  # None: unknown (workspace:*, latest, git URL, no lower bound)


def _walk(workspace: Path) -> Iterator[str]:
    # The agent's workspace: no link followed, nothing but files and symlinks listed (safefs).
    report = WalkReport()
    for entry in walk_files(workspace, report, keep_dir=lambda _rel, name: name not in _SKIP_DIRS):
        yield entry.rel


def _read(workspace: Path, rel: str) -> str | None:
    """A manifest's text, or None when it cannot be read safely (a link out, a FIFO, too large)."""
    try:
        return read_text(workspace, rel, max_bytes=_MANIFEST_CAP)
    except (UnsafeFileError, OSError):
        return None


_NPM_BOUND = re.compile(
    r"(>=|>|<=|<|=|\^|~)?\s*v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?"
)


def npm_lowest_version(spec: str) -> str | None:
    """The lowest version an npm range admits: ``^5.5.4`` → 5.5.4, ``1.x`` → 1.0.0; None if unknowable."""
    spec = spec.strip()
    if spec.startswith("npm:") and "@" in spec[4:]:
        spec = spec.rsplit("@", 1)[1]  # an alias, "npm:other@^1.2"
    try:
        npm_spec = sv.NpmSpec(spec)
    except ValueError:
        return None  # workspace:*, latest, git and file URLs, tags
    lows: list[sv.Version] = []
    for alternative in spec.split("||"):
        alternative = alternative.strip()
        if alternative in ("", "*", "x", "X"):
            continue
        bounds = [m for m in _NPM_BOUND.finditer(alternative) if m.group(1) not in ("<", "<=")]
        if not bounds:
            lows.append(sv.Version("0.0.0"))
            continue
        op, major, minor, patch, pre = bounds[0].groups()
        parts = [major, minor or "0", patch or "0"]
        parts = ["0" if p in ("x", "X", "*") else p for p in parts]
        version = sv.Version(".".join(parts) + (pre or ""))
        if op == ">" and not npm_spec.match(version):
            version = version.next_patch()
        lows.append(version)
    return str(min(lows)) if lows else None


def pep440_lowest_version(spec: str) -> str | None:
    """The lowest version a PEP 440 specifier admits: ``==2.32.3`` → 2.32.3, ``>=2.32`` → 2.32."""
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return _poetry_lowest_version(spec)
    lows = []
    for item in specifiers:
        if item.operator in ("==", "===", "~=", ">=", ">"):
            lows.append(item.version.removesuffix(".*"))
    if not lows:
        return None
    return str(max(lows, key=Version))


def _poetry_lowest_version(spec: str) -> str | None:
    # Poetry's ^ and ~ are not PEP 440, but their lower bound is the version they name.
    match = re.fullmatch(r"\s*[\^~]?\s*(\d+(?:\.\d+)*)(?:\.\*)?\s*", spec)
    return match.group(1) if match else None


def _package_json(workspace: Path, rel: str, names: set[str]) -> Iterator[Declaration]:
    text = _read(workspace, rel)
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    for section in NPM_SECTIONS:
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        for name, spec in deps.items():
            if name in names and isinstance(spec, str):
                yield Declaration(
                    file=rel,
                    section=section,
                    name=name,
                    spec=spec,
                    ecosystem="npm",
                    version=npm_lowest_version(spec),
                )


def _python_requirement(rel: str, section: str, line: str, names: set[str]) -> Declaration | None:
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    name = canonicalize_name(req.name)
    if name not in names:
        return None
    spec = str(req.specifier)
    return Declaration(
        file=rel,
        section=section,
        name=name,
        spec=spec,
        ecosystem="python",
        version=pep440_lowest_version(spec) if spec else None,
    )


def _requirements_txt(workspace: Path, rel: str, names: set[str]) -> Iterator[Declaration]:
    for raw in (_read(workspace, rel) or "").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        found = _python_requirement(rel, "requirements", line, names)
        if found:
            yield found


def _pyproject_lists(data: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    project = data.get("project") or {}
    yield "project.dependencies", project.get("dependencies") or []
    for extra, items in (project.get("optional-dependencies") or {}).items():
        yield f"project.optional-dependencies.{extra}", items or []
    for group, items in (data.get("dependency-groups") or {}).items():
        yield f"dependency-groups.{group}", items or []


def _poetry_tables(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    poetry = (data.get("tool") or {}).get("poetry") or {}
    yield "tool.poetry.dependencies", poetry.get("dependencies") or {}
    yield "tool.poetry.dev-dependencies", poetry.get("dev-dependencies") or {}
    for group, table in (poetry.get("group") or {}).items():
        yield f"tool.poetry.group.{group}.dependencies", (table or {}).get("dependencies") or {}


def _pyproject(workspace: Path, rel: str, names: set[str]) -> Iterator[Declaration]:
    text = _read(workspace, rel)
    try:
        data = tomllib.loads(text) if text is not None else {}
    except tomllib.TOMLDecodeError:
        return
    for section, items in _pyproject_lists(data):
        for item in items:
            if isinstance(item, str) and (found := _python_requirement(rel, section, item, names)):
                yield found
    for section, table in _poetry_tables(data):
        for raw_name, value in table.items():
            name = canonicalize_name(raw_name)
            if name not in names or name == "python":
                continue
            spec = value.get("version") if isinstance(value, dict) else value
            spec = spec if isinstance(spec, str) else ""
            version = None if spec in ("", "*") else pep440_lowest_version(spec)
            yield Declaration(
                file=rel, section=section, name=name, spec=spec, ecosystem="python", version=version
            )


def npm_manifests(workspace: Path) -> list[str]:
    """Every package.json of the workspace (root and workspace packages), dependency folders skipped."""
    return [rel for rel in _walk(workspace) if rel.rsplit("/", 1)[-1] == "package.json"]


def find_declarations(workspace: Path, names: list[str]) -> list[Declaration]:
    """Every declaration of any of ``names`` in the workspace, in file order.

    npm names match exactly; Python names match after PEP 503 normalisation, and the returned
    ``name`` of a Python declaration is the normalised one.
    """
    npm_names = set(names)
    python_names: set[str] = {canonicalize_name(n) for n in names}
    found: list[Declaration] = []
    for rel in _walk(workspace):
        base = rel.rsplit("/", 1)[-1]
        if base == "package.json":
            found.extend(_package_json(workspace, rel, npm_names))
        elif base == "pyproject.toml":
            found.extend(_pyproject(workspace, rel, python_names))
        elif base.startswith("requirements") and base.endswith(".txt"):
            found.extend(_requirements_txt(workspace, rel, python_names))
    return found
