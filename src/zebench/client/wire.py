"""The JSON wire format of the results API: zebench's pydantic models with camelCase field names.

Only *model field names* are converted. Free-form dictionaries (metadata, evaluator details,
artifact names, breakdown keys, status counts) are user data and pass through untouched, which is
why this is a walk over the models rather than a blanket key conversion of the JSON.
"""

from __future__ import annotations

import functools
import types
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.alias_generators import to_camel, to_snake

M = TypeVar("M", bound=BaseModel)

__all__ = ["from_wire", "to_camel", "to_snake", "to_wire"]


def to_wire(model: BaseModel) -> dict[str, Any]:
    """Render a model as a JSON-ready dict with camelCase field names (nested models included)."""
    return _camelize(type(model), model.model_dump(mode="json"))


@functools.cache
def _plan(cls: type[BaseModel]) -> tuple[tuple[str, str, type[BaseModel] | None, bool], ...]:
    """Per field: name, camelCase name, nested model class, whether it is a list of them.

    Computed once per class: the renaming is on the hot path of every list response.
    """
    plan = []
    for name, info in cls.model_fields.items():
        nested = _model_in(info.annotation)
        is_list = False
        if nested is None and get_origin(info.annotation) is list:
            (item,) = get_args(info.annotation) or (Any,)
            nested, is_list = _model_in(item), True
        plan.append((name, to_camel(name), nested, is_list))
    return tuple(plan)


def _camelize(cls: type[BaseModel], plain: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, camel, nested, is_list in _plan(cls):
        value = plain[name]
        if nested is not None and value is not None:
            value = [_camelize(nested, v) for v in value] if is_list else _camelize(nested, value)
        out[camel] = value
    return out


def from_wire(cls: type[M], data: dict[str, Any]) -> M:
    """Parse a camelCase dict into ``cls``. Keys that are not fields of ``cls`` are dropped.

    Dropping unknown keys is deliberate: the server adds the original API's field names
    (``weightedScore``, ``specialistEnabled``...) next to zebench's, and a newer server may add more.
    """
    return cls.model_validate(snake_fields(cls, data))


def snake_fields(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with camelCase (or snake_case) field names mapped to ``cls``'s field names, recursively."""
    out: dict[str, Any] = {}
    for name, camel, nested, is_list in _plan(cls):
        key = camel if camel in data else name
        if key not in data:
            continue
        value = data[key]
        if nested is not None:
            if is_list and isinstance(value, list):
                value = [snake_fields(nested, v) if isinstance(v, dict) else v for v in value]
            elif not is_list and isinstance(value, dict):
                value = snake_fields(nested, value)
        out[name] = value
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X``, ``X | None`` or ``Optional[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
