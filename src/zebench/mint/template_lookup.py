"""Finding a template file from what the user typed: a path, or a name such as ``@org/my-specialist``.

Names are looked up in a templates folder: ``--templates-dir``, else ``$ZEBENCH_TEMPLATES_DIR``,
else ``./templates``. A template's ``name`` field decides first (exactly, then ignoring a scope
that only one side has); file names (``<name>.json5``, ``<name>-template.jsonc``, ...) are the
fallback. Two templates with the name asked for are an error, never a silent pick.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from zebench.errors import TemplateError
from zebench.mint.jsonio import read_json5

TEMPLATE_SUFFIXES = (".json5", ".jsonc", ".json")
TEMPLATES_DIR_ENV = "ZEBENCH_TEMPLATES_DIR"
DEFAULT_TEMPLATES_DIR = Path("templates")
_STEMS = ("{slug}", "{slug}-template", "{slug}-specialist-template")
# Every `name: "…"` in a file, quoted key or not. json5 parses ~25 KB/s, so only files with a
# candidate value are parsed; the top-level field of the parsed file then decides.
_NAME_VALUES = re.compile(r"""["']?\bname["']?\s*:\s*["']([^"'\n]+)["']""")


def templates_folder(templates_dir: Path | None = None) -> Path:
    """Where names are looked up: ``templates_dir``, else ``$ZEBENCH_TEMPLATES_DIR``, else ``./templates``."""
    if templates_dir is not None:
        return Path(templates_dir)
    configured = os.environ.get(TEMPLATES_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_TEMPLATES_DIR


def _split(name: str) -> tuple[str | None, str]:
    """``@org/x`` → ("org", "x"); ``x`` → (None, "x")."""
    if name.startswith("@") and "/" in name:
        scope, _, slug = name[1:].partition("/")
        return scope, slug
    return None, name


def _compatible(asked: str, found: str) -> bool:
    """Same name, ignoring a scope only one of them has: ``@acme/x`` finds ``x`` and ``x`` finds ``@acme/x``."""
    (scope_a, slug_a), (scope_f, slug_f) = _split(asked), _split(found)
    return slug_a == slug_f and (scope_a is None or scope_f is None or scope_a == scope_f)


def _template_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in TEMPLATE_SUFFIXES and p.is_file())


def _declared_name(path: Path, asked: str) -> str | None:
    """The file's top-level ``name`` when it could match ``asked``; None otherwise (or unreadable)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not any(_compatible(asked, value) for value in _NAME_VALUES.findall(text)):
        return None
    try:
        data = read_json5(path)
    except TemplateError:
        return None  # a broken file elsewhere in the folder must not hide the one asked for
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(TEMPLATE_SUFFIXES) or (os.sep in ref and not ref.startswith("@"))


def _one(matches: list[Path], name: str, folder: Path) -> Path | None:
    if len(matches) > 1:
        raise TemplateError(
            f"{len(matches)} templates are named {name!r}: {', '.join(p.name for p in matches)}",
            file=folder,
            field="name",
            hint="give each template a name of its own, or pass the template's path instead of its name",
        )
    return matches[0] if matches else None


def find_template(ref: str | Path, templates_dir: Path | None = None) -> Path:
    """The template file for ``ref``: an existing path, or a name looked up in the templates folder.

    By name: files whose ``name`` field is ``ref``; else whose name matches ignoring a scope only
    one side has; else ``<name>.json5|.jsonc|.json``, ``<name>-template.*``,
    ``<name>-specialist-template.*`` (``<name>`` without its scope). Raises TemplateError naming
    the folder when no file or more than one file has the name.
    """
    as_path = Path(ref).expanduser()
    if as_path.is_file():
        return as_path
    name = str(ref)
    if _looks_like_path(name):
        raise TemplateError(
            "template file not found", file=as_path, hint="check the path, or pass a template name"
        )
    folder = templates_folder(templates_dir)
    files = _template_files(folder)
    declared = {path: _declared_name(path, name) for path in files}
    exact = _one([p for p, found in declared.items() if found == name], name, folder)
    if exact is not None:
        return exact
    loose = _one([p for p, found in declared.items() if found and _compatible(name, found)], name, folder)
    if loose is not None:
        return loose
    slug = _split(name)[1]
    for stem in _STEMS:
        for suffix in TEMPLATE_SUFFIXES:
            candidate = folder / (stem.format(slug=slug) + suffix)
            if candidate.is_file():
                return candidate
    raise _not_found(name, folder, files)


def _not_found(name: str, folder: Path, files: list[Path]) -> TemplateError:
    where = "pass the template's path, or the folder holding it with --templates-dir or ZEBENCH_TEMPLATES_DIR"
    if not folder.is_dir():
        return TemplateError(
            f"no template named {name!r}: the templates folder does not exist", file=folder, hint=where
        )
    listed = ", ".join(p.name for p in files) if files else "none"
    return TemplateError(
        f"no template named {name!r} (no name field or file name matches)",
        file=folder,
        hint=f"templates there: {listed}; {where}",
    )
