"""Where API keys and base URLs come from: the environment first, then a ``.env`` in the working directory.

``.env`` is read with python-dotenv *without* touching ``os.environ``: real environment variables
always win, and nothing leaks into the process for other runs or child commands.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from zebench.llm.types import MissingAPIKeyError, Provider

API_KEY_ENV: dict[Provider, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
}
BASE_URL_ENV: dict[Provider, str] = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
    "openrouter": "OPENROUTER_BASE_URL",
}
DEFAULT_BASE_URLS: dict[Provider, str] = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
    "openrouter": "https://openrouter.ai/api/v1",
}
PROVIDERS: tuple[Provider, ...] = ("anthropic", "openai", "openrouter")

# Sent to OSS-compatible servers (vLLM, Ollama, llama.cpp) that ignore the key but whose SDK needs one.
PLACEHOLDER_KEY = "no-key-needed"


def read_setting(name: str, *, cwd: Path | None = None) -> str | None:
    """A setting from the environment, else from ``<cwd>/.env``; empty values count as unset."""
    value = os.environ.get(name)
    if value:
        return value
    env_file = (cwd or Path.cwd()) / ".env"
    if env_file.is_file():
        values: Mapping[str, str | None] = dotenv_values(env_file)
        found = values.get(name)
        if found:
            return found
    return None


def missing_key_error(provider: Provider) -> MissingAPIKeyError:
    """The one-line error for a provider without a key."""
    var = API_KEY_ENV[provider]
    return MissingAPIKeyError(f"{var} is not set: export it or put it in .env")


def is_default_openai(base_url: str) -> bool:
    """True for OpenAI's own API, where a real key is mandatory."""
    return "api.openai.com" in base_url


def resolve_base_url(provider: Provider, base_url: str | None = None) -> str:
    """The explicit URL, else ``<PROVIDER>_BASE_URL``, else the provider's public endpoint."""
    return base_url or read_setting(BASE_URL_ENV[provider]) or DEFAULT_BASE_URLS[provider]


def resolve_api_key(provider: Provider, api_key: str | None = None, *, base_url: str | None = None) -> str:
    """The explicit key, else the environment or ``.env``; raises :class:`MissingAPIKeyError` when absent.

    An OpenAI-compatible server other than api.openai.com (vLLM, Ollama, llama.cpp) usually needs no
    key, so a placeholder is used there instead of refusing to start.
    """
    key = api_key or read_setting(API_KEY_ENV[provider])
    if key:
        return key
    if provider == "openai" and not is_default_openai(resolve_base_url(provider, base_url)):
        return PLACEHOLDER_KEY
    raise missing_key_error(provider)


def has_api_key(provider: Provider) -> bool:
    """Whether a key for ``provider`` is configured (environment or .env)."""
    return read_setting(API_KEY_ENV[provider]) is not None
