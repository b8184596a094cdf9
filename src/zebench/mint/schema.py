"""Validation against zebench's template and snapshot JSON Schemas (draft 2020-12), every error by JSON path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict

from zebench.errors import TemplateError

SchemaName = Literal["template", "snapshot"]
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


class SchemaIssue(BaseModel):
    """One schema violation: where (``$.persona.values``) and what is wrong."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class TemplateValidationError(TemplateError):
    """A template or snapshot broke the schema; ``issues`` lists every violation."""

    def __init__(self, issues: list[SchemaIssue], *, file: str | Path | None, what: str = "template") -> None:
        self.issues = issues
        first = str(issues[0]) if issues else "invalid"
        more = (
            f" (and {len(issues) - 1} more; run `zebench mint validate` to list them)"
            if len(issues) > 1
            else ""
        )
        super().__init__(
            f"{what} does not match the schema: {first}{more}",
            file=file,
            hint="see docs/templates.md for the fields",
        )


@cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    """The shipped schema ``schemas/<name>.schema.json``."""
    text = resources.files("zebench.mint").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: SchemaName) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_path(parts: Iterable[str | int]) -> str:
    """``$.a.b[0]['odd key']`` from a sequence of keys and indexes."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def schema_issues(data: Any, name: SchemaName = "template") -> list[SchemaIssue]:
    """Every violation of schema ``name`` in ``data``, sorted by path, one line each."""
    issues: set[SchemaIssue] = set()
    for error in _validator(name).iter_errors(data):
        issues.update(_explain(error))
    return sorted(issues, key=lambda issue: (issue.path, issue.message))


def check(data: Any, name: SchemaName, *, file: str | Path | None) -> None:
    """Raise :class:`TemplateValidationError` listing every violation, if there is one."""
    issues = schema_issues(data, name)
    if issues:
        raise TemplateValidationError(issues, file=file, what=name)


def _explain(error: ValidationError) -> list[SchemaIssue]:
    """Turn one jsonschema error into issues whose paths point at the offending field itself."""
    where = list(error.absolute_path)
    validator = error.validator
    # jsonschema types these attributes as possibly unset; on a reported error they are set, but
    # narrowing them once here keeps the checks below honest.
    value: Any = error.validator_value
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if validator == "required":
        missing = [
            key
            for key in (value if isinstance(value, list) else [])
            if isinstance(error.instance, dict) and key not in error.instance
        ]
        return [
            SchemaIssue(path=json_path([*where, key]), message="required field is missing") for key in missing
        ]
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in error.instance if k not in schema.get("properties", {})]
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return [SchemaIssue(path=json_path([*where, key]), message=f"unknown field{hint}") for key in extra]
    if validator == "oneOf" and isinstance(error.instance, dict) and _is_url_or_path(value):
        has = [key for key in ("url", "path") if key in error.instance]
        what = "has both url and path" if len(has) == 2 else "needs a url or a path"
        return [SchemaIssue(path=json_path(where), message=f"{what} (exactly one of them)")]
    if validator == "oneOf" and error.context:
        # Report the alternative that got furthest: usually the one the author meant.
        best = max(error.context, key=lambda sub: len(list(sub.absolute_path)))
        return _explain(best)
    return [SchemaIssue(path=json_path(where), message=_message(error))]


def _is_url_or_path(alternatives: Any) -> bool:
    return isinstance(alternatives, list) and {"url", "path"} == {
        key for alt in alternatives if isinstance(alt, dict) for key in alt.get("required", [])
    }


def _message(error: ValidationError) -> str:
    value: Any = error.validator_value
    if error.validator == "pattern":
        return f"{_short(error.instance)} does not match the pattern {value}"
    if error.validator == "enum":
        return f"{_short(error.instance)} is not one of: {', '.join(map(str, value))}"
    if error.validator == "type":
        kinds = [str(k) for k in value] if isinstance(value, list) else [str(value)]
        return f"expected {' or '.join(kinds)}, got {_json_type(error.instance)}"
    if error.validator == "minItems":
        return f"needs at least {value} item(s)"
    return error.message


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
