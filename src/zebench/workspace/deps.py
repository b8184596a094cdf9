"""Dependency declarations in package.json, pyproject.toml and requirements*.txt, and their changes."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from zebench.results.models import DependencyChange

NPM_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")

# section -> name -> spec. Specs are the text after the name ("^18.2.0", ">=2,<3", "[socks]>=2"),
# or "*" when the declaration has no constraint at all.
Declarations = dict[str, dict[str, str]]


class ManifestParseError(ValueError):
    """A manifest could not be parsed; its dependency changes are reported as a warning instead."""


def is_manifest(path: str) -> bool:
    """Whether ``path`` (relative, posix) names a file whose dependencies are tracked."""
    name = PurePosixPath(path).name
    return name in ("package.json", "pyproject.toml") or fnmatch.fnmatchcase(name, "requirements*.txt")


def parse_manifest(path: str, text: str) -> Declarations:
    """The dependency declarations of the manifest at ``path`` with contents ``text``."""
    name = PurePosixPath(path).name
    if name == "package.json":
        return _parse_package_json(text)
    if name == "pyproject.toml":
        return _parse_pyproject(text)
    return {"requirements": _parse_requirements(text.splitlines())}


def compare_manifests(path: str, before: Declarations, after: Declarations) -> list[DependencyChange]:
    """One change per (section, name) whose spec differs between ``before`` and ``after``."""
    changes: list[DependencyChange] = []
    for section in sorted(set(before) | set(after)):
        old, new = before.get(section, {}), after.get(section, {})
        for dep in sorted(set(old) | set(new)):
            if old.get(dep) != new.get(dep):
                changes.append(
                    DependencyChange(
                        file=path, section=section, name=dep, before=old.get(dep), after=new.get(dep)
                    )
                )
    return changes


def _parse_package_json(text: str) -> Declarations:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestParseError(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestParseError("the top level is not an object")
    result: Declarations = {}
    for section in NPM_SECTIONS:
        table = data.get(section)
        if isinstance(table, dict):
            result[section] = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in table.items()}
    return result


def _parse_pyproject(text: str) -> Declarations:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestParseError(f"invalid TOML: {exc}") from exc
    result: Declarations = {}
    project = _table(data.get("project"))
    if isinstance(project.get("dependencies"), list):
        result["project.dependencies"] = _parse_requirements(project["dependencies"])
    for extra, reqs in _table(project.get("optional-dependencies")).items():
        if isinstance(reqs, list):
            result[f"project.optional-dependencies.{extra}"] = _parse_requirements(reqs)
    poetry = _table(_table(data.get("tool")).get("poetry"))
    for key in ("dependencies", "dev-dependencies"):
        if key in poetry:
            result[f"tool.poetry.{key}"] = _parse_poetry(_table(poetry[key]))
    for group, body in _table(poetry.get("group")).items():
        deps = _table(body).get("dependencies") if isinstance(body, dict) else None
        if deps is not None:
            result[f"tool.poetry.group.{group}.dependencies"] = _parse_poetry(_table(deps))
    for group, reqs in _table(data.get("dependency-groups")).items():
        if isinstance(reqs, list):
            # {include-group = "..."} tables are references, not dependencies.
            result[f"dependency-groups.{group}"] = _parse_requirements(r for r in reqs if isinstance(r, str))
    return result


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# packaging (~15 ms to import) is imported by the two parsers that need it, so only a run that
# changed a Python manifest pays for it; most runs change none, and every run computes its diff.


def _parse_poetry(table: dict[str, Any]) -> dict[str, str]:
    from packaging.utils import canonicalize_name

    result: dict[str, str] = {}
    for name, spec in table.items():
        if name.lower() == "python":
            continue  # the interpreter constraint, not a package
        text = spec if isinstance(spec, str) else json.dumps(spec, sort_keys=True, separators=(",", ":"))
        _add(result, canonicalize_name(name), text)
    return result


def _parse_requirements(lines: Iterable[Any]) -> dict[str, str]:
    """PEP 508 lines; comments, options (-r, -e, --index-url) and unparsable lines are skipped."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    result: dict[str, str] = {}
    for line in _logical_lines(str(x) for x in lines):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        rest = str(req)[len(req.name) :].strip()
        _add(result, canonicalize_name(req.name), rest or "*")
    return result


def _logical_lines(lines: Iterable[str]) -> Iterable[str]:
    pending = ""
    for raw in lines:
        line = raw.rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if " #" in line:
            line = line[: line.index(" #")]
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            yield line
    if pending.strip() and not pending.lstrip().startswith(("#", "-")):
        yield pending.strip()


def _add(result: dict[str, str], name: str, spec: str) -> None:
    # A name declared twice (different markers) keeps every declaration, in a stable order.
    if name in result:
        result[name] = " | ".join(sorted({*result[name].split(" | "), spec}))
    else:
        result[name] = spec
