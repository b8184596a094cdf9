"""Scrub API keys and credentials out of anything zebench stores.

Trajectories, recordings and logs pass through :func:`redact` before they are written, so a key the
user configured (or one that merely looks like a key) never reaches disk or the results store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[REDACTED]"

# Provider key shapes: Anthropic (sk-ant-…), OpenRouter (sk-or-…), OpenAI (sk-…, sk-proj-…), plus
# bearer tokens and header-style assignments. Conservative lengths keep ordinary words like
# "sk-learn" from being mangled.
_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bsk-(?:ant-|or-|proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)\bbearer\s+(?=[A-Za-z0-9._~+/\-]*\d)[A-Za-z0-9._~+/\-]{8,}=*"),
    # Only token-like values (16+ characters with a digit), so source code such as
    # ``api_key = read_setting(name)`` in a recorded file edit survives untouched.
    re.compile(
        r"(?i)(\b(?:x-api-key|api[-_]?key|authorization)\b[\"']?\s*[:=]\s*[\"']?)"
        r"(?=[A-Za-z0-9._\-]*\d)([A-Za-z0-9._\-]{16,})"
    ),
)

# Values shorter than this are not treated as secrets: replacing "a" everywhere would destroy the text.
_MIN_SECRET_LEN = 6


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Replace every configured secret value and every key-like pattern in ``text`` with ``[REDACTED]``."""
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(f"Bearer {REDACTED}", text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + REDACTED, text)
    return text


def redact_data(value: Any, secrets: Iterable[str | None] = ()) -> Any:
    """Redact every string inside a JSON-like structure (dicts, lists, strings), returning a copy."""
    secret_list = list(secrets)
    if isinstance(value, str):
        return redact(value, secret_list)
    if isinstance(value, dict):
        return {k: redact_data(v, secret_list) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, secret_list) for v in value]
    return value
