"""The bench options of the model gateway: provider tools granted, generation settings pinned."""

from __future__ import annotations

from typing import Any

from zebench.errors import ZebenchError
from zebench.results.model_calls import ALL_PROVIDER_TOOLS, PROVIDER_TOOLS


def parse_provider_tools(values: list[str] | None) -> list[str]:
    """``--provider-tools web_search,code_execution`` (or ``all``), each name checked."""
    names = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    known = (*PROVIDER_TOOLS, ALL_PROVIDER_TOOLS)
    for name in names:
        if name not in known:
            raise ZebenchError(
                f"unknown provider tool {name!r}", field="--provider-tools", hint=f"use {', '.join(known)}"
            )
    return names


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_pin(values: list[str] | None) -> dict[str, Any] | None:
    """``--pin-generation temperature=0,max_tokens=4096``, checked (one line, exit 2 when bad)."""
    from zebench.gateway.pinning import check_pin

    pairs = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    if not pairs:
        return None
    pin: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip() or not raw.strip():
            raise ZebenchError(
                f"{pair!r} is not KEY=VALUE",
                field="--pin-generation",
                hint="e.g. temperature=0,max_tokens=4096",
            )
        pin[key.strip()] = _value(raw.strip())
    try:
        return check_pin(pin)
    except ZebenchError as exc:
        raise ZebenchError(exc.message, field="--pin-generation", hint=exc.hint) from exc
