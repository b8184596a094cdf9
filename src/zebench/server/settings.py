"""Server settings and the loopback rule that decides what may run without an API key."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from zebench.errors import StoreError

API_KEY_ENV = "ZE_BENCHMARKS_API_KEY"
READ_KEY_ENV = "ZEBENCH_READ_KEY"
CORS_ENV = "ZEBENCH_CORS_ORIGINS"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


class ServerSettings(BaseModel):
    """How the results server listens and whom it trusts.

    There is deliberately no default API key (the original fell back to ``dev-local-key``): with no
    key, writes are accepted only while the server listens on a loopback address.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    api_key: SecretStr | None = None
    read_key: SecretStr | None = None
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ServerSettings:
        """Settings from ``ZE_BENCHMARKS_API_KEY``, ``ZEBENCH_READ_KEY`` and ``ZEBENCH_CORS_ORIGINS``
        (comma-separated), with explicit keyword overrides winning; ``None`` overrides are ignored."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if env.get(API_KEY_ENV):
            values["api_key"] = env[API_KEY_ENV]
        if env.get(READ_KEY_ENV):
            values["read_key"] = env[READ_KEY_ENV]
        if env.get(CORS_ENV):
            values["cors_origins"] = [o.strip() for o in env[CORS_ENV].split(",") if o.strip()]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    @property
    def on_loopback(self) -> bool:
        """True when the server is reachable only from this machine."""
        return is_loopback(self.host)

    @property
    def writes_open(self) -> bool:
        """Writes need no key only with no key configured on a loopback listener."""
        return self.api_key is None and self.on_loopback


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address. Wildcards (0.0.0.0, ::) and other names are not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_settings(settings: ServerSettings) -> None:
    """Refuse a configuration that would expose writes to the network without a key."""
    if not settings.on_loopback and settings.api_key is None:
        raise StoreError(
            f"refusing to listen on {settings.host} without an API key",
            field=API_KEY_ENV,
            hint=f"set {API_KEY_ENV} or listen on 127.0.0.1",
        )
    if settings.api_key is not None and not settings.api_key.get_secret_value().strip():
        raise StoreError("the API key is empty", field=API_KEY_ENV, hint="set a non-empty key")
