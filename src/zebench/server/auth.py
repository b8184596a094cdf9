"""Bearer-key checks for writes and (optionally) reads.

Keys are compared with :func:`hmac.compare_digest` so the response time does not reveal how much
of a guessed key was right (the original used ``!==``).
"""

from __future__ import annotations

import hmac

from fastapi import Request
from pydantic import SecretStr

from zebench.server.errors import ApiError
from zebench.server.settings import ServerSettings


def _settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Unauthorized", "send Authorization: Bearer <key>")
    return token.strip()


def key_matches(token: str, key: SecretStr | None) -> bool:
    """Constant-time comparison of a presented token with a configured key."""
    if key is None:
        return False
    return hmac.compare_digest(token.encode("utf-8"), key.get_secret_value().encode("utf-8"))


def require_write(request: Request) -> None:
    """Dependency for write routes: the API key, or nothing on an unkeyed loopback server."""
    settings = _settings(request)
    if settings.writes_open:
        return
    token = _bearer(request)
    if not key_matches(token, settings.api_key):
        raise ApiError(403, "Invalid API key")


def require_read(request: Request) -> None:
    """Dependency for read routes: open unless a read key is configured; then the read or write key."""
    settings = _settings(request)
    if settings.read_key is None:
        return
    token = _bearer(request)
    # Evaluate both comparisons so timing does not reveal which key was tried.
    read_ok = key_matches(token, settings.read_key)
    write_ok = key_matches(token, settings.api_key)
    if not (read_ok or write_ok):
        raise ApiError(403, "Invalid API key")
