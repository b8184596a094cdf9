"""Pinned generation settings (``--pin-generation``): which keys exist and what values they take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zebench.errors import AgentConfigError
from zebench.gateway.wires.base import PIN_KEYS


def check_pin(pin: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``pin_generation`` checked: known keys, numbers in range; bad input is one line, exit 2."""
    if not pin:
        return None
    unknown = sorted(set(pin) - set(PIN_KEYS))
    if unknown:
        raise AgentConfigError(
            f"unknown generation setting {unknown[0]!r}",
            field="pin_generation",
            hint=f"use {', '.join(PIN_KEYS)}",
        )
    checks = {
        "temperature": lambda v: isinstance(v, int | float) and 0 <= v <= 2,
        "top_p": lambda v: isinstance(v, int | float) and 0 <= v <= 1,
        "max_tokens": lambda v: isinstance(v, int) and v >= 1,
        "thinking_budget": lambda v: isinstance(v, int) and v >= 0,
        "reasoning_effort": lambda v: isinstance(v, str) and bool(v),
    }
    for key, value in pin.items():
        if isinstance(value, bool) or not checks[key](value):
            raise AgentConfigError(
                f"{key}={value!r} is out of range",
                field="pin_generation",
                hint="temperature 0..2, top_p 0..1, max_tokens >= 1, thinking_budget >= 0, reasoning_effort a word",
            )
    return dict(pin)
