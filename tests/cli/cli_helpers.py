"""Helpers for the CLI end-to-end tests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

CliRun = Callable[..., subprocess.CompletedProcess[str]]


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(proc.stdout)
