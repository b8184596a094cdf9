"""Turning names (suites, scenarios, packages, versions) into safe parts of file names."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def path_safe(text: str) -> str:
    """``text`` with every run of unsafe characters as ``_``, no leading or trailing dots; never empty."""
    return _UNSAFE.sub("_", text).strip("._") or "x"
