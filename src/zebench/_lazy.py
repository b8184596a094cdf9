"""Lazy package exports: a name is imported from its module the first time it is looked up.

Packages whose modules pull in heavy dependencies (the SDKs, SQLAlchemy and Alembic) export
through this, so importing the package for one light name stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, MutableMapping
from typing import Any


def load_lazy(package: str, table: Mapping[str, str], namespace: MutableMapping[str, Any], name: str) -> Any:
    """Import ``name`` from the module ``table`` maps it to, cache it in ``namespace``, return it."""
    module = table.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    namespace[name] = value  # later lookups skip the package's __getattr__
    return value
