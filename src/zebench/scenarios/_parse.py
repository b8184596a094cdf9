"""Reading scenario files and turning pydantic's complaints into one-line, user-actionable errors.

Raw models forbid unknown keys so pydantic reports them with their exact location; we then demote those
reports to warnings, strip the keys and validate again. That way every nested model (including the shared
ones in ``model.py``) gets unknown-key warnings for free without a second, permissive copy of each model.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from zebench.errors import ScenarioError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)

# Pydantic error type -> what the user should have written.
_EXPECTED: dict[str, str] = {
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

CUSTOM_ERROR = "zebench"


def fail(message: str) -> NoReturn:
    """Raise from a pydantic validator with a message used verbatim in the final error line."""
    raise PydanticCustomError(CUSTOM_ERROR, message)


def describe(value: Any, limit: int = 60) -> str:
    """A short repr of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dotted(loc: tuple[int | str, ...]) -> str:
    """``('heuristic_checks', 'commands', 0, 'name')`` -> ``heuristic_checks.commands[0].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML file whose top level must be a mapping; any problem is a ScenarioError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}", file=path) from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise ScenarioError(
            f"invalid YAML: {problem}", file=path, field=where, hint="fix the YAML syntax"
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", file=path, hint="fix the YAML syntax") from None
    if data is None:
        raise ScenarioError("the file is empty", file=path, hint="a scenario file is a mapping of keys")
    if not isinstance(data, dict):
        raise ScenarioError(
            f"the top level must be a mapping of keys, got {type(data).__name__}",
            file=path,
            hint="write 'key: value' lines at the top level",
        )
    return data


def read_json(path: Path) -> Any:
    """Parse a JSON file; malformed JSON is a ScenarioError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror}", file=path) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"invalid JSON: {exc.msg}", file=path, field=f"line {exc.lineno}") from None


def _format_error(err: ErrorDetails) -> str:
    path = dotted(tuple(err["loc"]))
    kind = err["type"]
    if kind == CUSTOM_ERROR:
        return f"{path}: {err['msg']}"
    if kind == "invalid_key":
        parent = dotted(tuple(err["loc"])[:-1])
        return f"{parent}: key {describe(err['input'])} is not text; quote it"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "literal_error":
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"{path}: expected one of {expected}, got {describe(err['input'])}"
    expected = _EXPECTED.get(kind)
    if expected is None:
        return f"{path}: {err['msg']}, got {describe(err['input'])}"
    return f"{path}: expected {expected}, got {describe(err['input'])}"


def _strip(data: Any, loc: tuple[int | str, ...]) -> None:
    node = data
    for part in loc[:-1]:
        node = node[part]
    if isinstance(node, dict):
        node.pop(loc[-1], None)


def validate_raw(model: type[M], data: dict[str, Any], file: Path) -> tuple[M, list[str]]:
    """Validate ``data`` against ``model``; unknown keys become warnings, everything else one ScenarioError."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors()
    unknown = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    problems = [_format_error(e) for e in errors if e["type"] != "extra_forbidden"]
    if problems:
        raise_problems(file, problems)
    warnings = [f"{file.name}: unknown key '{dotted(loc)}' (ignored)" for loc in unknown]
    cleaned = copy.deepcopy(data)
    for loc in unknown:
        _strip(cleaned, loc)
    return model.model_validate(cleaned), warnings


def raise_problems(file: Path, problems: list[str]) -> NoReturn:
    """Raise one ScenarioError carrying every problem, so the user can fix the file in one go."""
    if len(problems) == 1:
        field, _, message = problems[0].partition(": ")
        raise ScenarioError(message, file=file, field=field)
    raise ScenarioError("; ".join(problems), file=file)
