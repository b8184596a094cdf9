"""Finding, loading and validating specialist templates, preferring their newest enriched version."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from zebench.errors import TemplateError
from zebench.mint.inheritance import resolve_inheritance
from zebench.mint.jsonio import canonical_sha256, read_object
from zebench.mint.schema import SchemaIssue, check, schema_issues
from zebench.mint.template_lookup import TEMPLATE_SUFFIXES, find_template

__all__ = [
    "TEMPLATE_SUFFIXES",
    "Template",
    "ValidationReport",
    "find_template",
    "load_template",
    "newest_enriched",
    "resolve_file",
    "template_slug",
    "validate_template",
]

_VERSION_DIR = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_ENRICHED_OURS = re.compile(r"^enriched-(\d+)\.json5$")


class Template(BaseModel):
    """A loaded, inheritance-resolved, schema-valid template."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path  # the template the user named
    source_path: Path  # the file actually read: ``path`` or its newest enriched version
    base_dir: Path  # the folder relative documentation paths resolve against (``path``'s folder)
    enriched: bool
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def slug(self) -> str:
        return template_slug(self.name)

    @property
    def sha256(self) -> str:
        """A hash of the resolved content, independent of comments and formatting."""
        return canonical_sha256(self.data)


class ValidationReport(BaseModel):
    """What ``zebench mint validate`` reports for one file."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path
    issues: list[SchemaIssue]
    resolved: dict[str, Any]  # after inheritance
    enriched_path: Path | None = None  # the newest enriched version, when there is one

    @property
    def ok(self) -> bool:
        return not self.issues


def template_slug(name: str) -> str:
    """The name without its ``@scope/``: ``@org/my-specialist`` → ``my-specialist``."""
    return name.rsplit("/", 1)[-1]


def _version_key(text: str) -> tuple[int, int, int] | None:
    match = _VERSION_DIR.match(text)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def newest_enriched(path: Path, data: dict[str, Any]) -> Path | None:
    """The newest enriched version of the template at ``path`` whose resolved content is ``data``.

    Looks in both layouts: zebench's ``<dir>/<slug>/enriched/<version>/enriched-NNN.json5`` (the
    design document's) and the original's ``<dir>/enriched/<version>/<name>.enriched.NNN.json5``.
    Newest = highest version folder, then highest NNN; zebench's layout wins an exact tie. Version
    folders below the template's own version are ignored: they predate the template's last bump.
    """
    own = _version_key(str(data.get("version", "")))
    slug = template_slug(str(data.get("name", ""))) or path.stem
    stem = re.sub(r"\.(jsonc|json5|json)$", "", path.name)
    stem = stem.removesuffix("-template")
    original = re.compile(rf"^(?:{re.escape(slug)}|{re.escape(stem)})\.enriched\.(\d+)\.json5$")
    try:
        return _scan_enriched(path, slug, original, own)
    except OSError as exc:
        # e.g. a name longer than the filesystem allows (ENAMETOOLONG): the name is the problem.
        raise TemplateError(
            f"cannot look for enriched versions: {exc.strerror or exc}",
            file=path,
            field="name",
            hint="use a short kebab-case name",
        ) from exc


def _scan_enriched(
    path: Path, slug: str, original: re.Pattern[str], own: tuple[int, int, int] | None
) -> Path | None:
    best: tuple[tuple[int, int, int], int, int, Path] | None = None
    for root, pattern, preference in (
        (path.parent / slug / "enriched", _ENRICHED_OURS, 1),
        (path.parent / "enriched", original, 0),
    ):
        if not root.is_dir():
            continue
        for version_dir in root.iterdir():
            version = _version_key(version_dir.name)
            if version is None or not version_dir.is_dir() or (own is not None and version < own):
                continue
            for entry in version_dir.iterdir():
                match = pattern.match(entry.name)
                if match and entry.is_file():
                    key = (version, int(match.group(1)), preference, entry)
                    if best is None or key[:3] > best[:3]:
                        best = key
    return best[3] if best else None


def resolve_file(path: Path, *, base_dir: Path | None = None) -> dict[str, Any]:
    """The template at ``path`` with its ``from`` ancestors merged in (not validated)."""
    raw = read_object(path)
    return resolve_inheritance(path, raw, base_dir=base_dir or Path.cwd())


def load_template(
    ref: str | Path,
    *,
    templates_dir: Path | None = None,
    use_enriched: bool = True,
    base_dir: Path | None = None,
) -> Template:
    """Find, resolve and validate a template; raises TemplateError (TemplateValidationError for schema errors).

    With ``use_enriched`` the newest enriched version (:func:`newest_enriched`) is read instead of
    the file itself; relative documentation paths still resolve against the original's folder.
    """
    path = find_template(ref, templates_dir)
    data = resolve_file(path, base_dir=base_dir)
    source = path
    if use_enriched:
        enriched = newest_enriched(path, data)
        if enriched is not None:
            source = enriched
            data = resolve_file(enriched, base_dir=base_dir)
    check(data, "template", file=source)
    return Template(path=path, source_path=source, base_dir=path.parent, enriched=source != path, data=data)


def validate_template(ref: str | Path, *, templates_dir: Path | None = None) -> ValidationReport:
    """Every schema issue of the template file ``ref`` (after inheritance), without raising for them.

    Unreadable files, syntax errors and broken ``from`` chains still raise TemplateError: there is no
    resolved template to check.
    """
    path = find_template(ref, templates_dir)
    data = resolve_file(path)
    return ValidationReport(
        path=path,
        issues=schema_issues(data, "template"),
        resolved=data,
        enriched_path=newest_enriched(path, data),
    )
