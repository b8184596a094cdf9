"""A fake LLM with a gateway in front of it, and helpers the gateway tests share."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from zebench.gateway import ModelGateway, fake_upstreams
from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.sandbox.detect import running_in_ci

# Usage the fake serves on every reply, in Anthropic's terms (input excludes the cache).
USAGE = {
    "input_tokens": 50,
    "output_tokens": 30,
    "cache_read_input_tokens": 20,
    "cache_creation_input_tokens": 0,
    "reasoning_tokens": 10,
}
SCRIPT: dict[str, Any] = {
    "models": ["fake-model"],
    "turns": [
        {
            "text": "Looking.",
            "tool_calls": [{"name": "read_file", "arguments": {"path": "app.py"}}],
            "by_wire": {
                "gemini": {
                    "text": "Looking.",
                    "tool_calls": [{"name": "read_file", "arguments": {"path": "app.py"}}],
                }
            },
        },
        {"text": "All done."},
    ],
    "usage": USAGE,
}


@contextmanager
def fake_and_gateway(
    script: dict[str, Any] | None = None, **gateway: Any
) -> Iterator[tuple[FakeLLMServer, ModelGateway]]:
    """A fake LLM serving ``script`` and a started gateway forwarding every wire to it."""
    with (
        FakeLLMServer(parse_script(script or SCRIPT)) as fake,
        ModelGateway(fake_upstreams(fake.url), **gateway) as gw,
    ):
        yield fake, gw


def require_google_genai() -> Any:
    """The google-genai module (the dev extra); skip without it, fail under CI=true."""
    try:
        from google import genai
    except ImportError:
        if running_in_ci():
            pytest.fail("CI=true but google-genai (the dev extra) is not installed")
        pytest.skip("google-genai is not installed (pip install -e '.[dev]')")
    return genai


def generation_calls(gw: ModelGateway, expected: int) -> list[Any]:
    """The calls that reached a model (not refusals).

    A streamed call is recorded when the gateway's stream ends, just after the client has read its
    last event, so a test reading it at once must wait (up to 5 s) for the ``expected`` count. The
    harness itself reads the calls only after the gateway has stopped, which waits for them.
    """
    deadline = time.monotonic() + 5
    while True:
        calls = [c for c in gw.calls if c.error_class is None]
        if len(calls) >= expected or time.monotonic() > deadline:
            return calls
        time.sleep(0.01)
