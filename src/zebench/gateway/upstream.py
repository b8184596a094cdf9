"""Where the gateway forwards model calls: one provider, its base URL and the harness's real key."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

from zebench.llm.config import read_setting
from zebench.results.model_calls import PROVIDER_WIRES, ModelProvider, Wire

API_KEY_ENVS: dict[ModelProvider, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "google": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}
BASE_URL_ENVS: dict[ModelProvider, str] = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
    "openrouter": "OPENROUTER_BASE_URL",
    "google": "GOOGLE_GEMINI_BASE_URL",
}
DEFAULT_BASE_URLS: dict[ModelProvider, str] = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "google": "https://generativelanguage.googleapis.com",
}
OPENROUTER_HEADERS = {"HTTP-Referer": "https://github.com/zebench/zebench", "X-Title": "zebench"}


class Upstream(BaseModel):
    """One provider the gateway forwards to. ``api_key`` never leaves the harness.

    ``base_url`` follows each provider's convention: Anthropic's and Google's are the host root,
    OpenAI's and OpenRouter's end with their API version (``…/v1``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ModelProvider
    base_url: str
    api_key: SecretStr | None = None

    @property
    def wires(self) -> tuple[Wire, ...]:
        """The wire formats this provider serves."""
        return PROVIDER_WIRES[self.provider]

    def url(self, relative: str) -> str:
        """The upstream URL of ``relative`` (a path the wire module computed)."""
        return self.base_url.rstrip("/") + relative

    def auth_headers(self) -> dict[str, str]:
        """The headers that carry the real key, in the provider's own form."""
        headers: dict[str, str] = {}
        key = self.api_key.get_secret_value() if self.api_key is not None else ""
        if self.provider == "anthropic":
            if key:
                headers["x-api-key"] = key
        elif self.provider == "google":
            if key:
                headers["x-goog-api-key"] = key
        elif key:
            headers["authorization"] = f"Bearer {key}"
        if self.provider == "openrouter":
            headers.update(OPENROUTER_HEADERS)
        return headers


def resolve_upstream(provider: ModelProvider, base_url: str | None = None) -> Upstream:
    """The upstream for ``provider``: ``base_url``, else ``<PROVIDER>_BASE_URL``, else the public API;
    the key from the harness's environment or ``.env``.

    Raises :class:`~zebench.llm.types.MissingAPIKeyError` (one line, exit 2) when the key is missing;
    an OpenAI-compatible server other than api.openai.com may run without one.
    """
    from zebench.llm.types import MissingAPIKeyError

    url = base_url or read_setting(BASE_URL_ENVS[provider]) or DEFAULT_BASE_URLS[provider]
    key = next((value for var in API_KEY_ENVS[provider] if (value := read_setting(var))), None)
    if key is None and not (provider == "openai" and "api.openai.com" not in url):
        var = API_KEY_ENVS[provider][0]
        raise MissingAPIKeyError(f"{var} is not set: export it or put it in .env", field=var)
    return Upstream(provider=provider, base_url=url, api_key=SecretStr(key) if key else None)


def fake_upstreams(url: str, api_key: str = "fake-key") -> list[Upstream]:
    """Upstreams for every wire served by one ``zebench fake-llm`` at ``url`` (tests, offline demos)."""
    return [
        Upstream(provider="anthropic", base_url=url, api_key=SecretStr(api_key)),
        Upstream(provider="openai", base_url=url + "/v1", api_key=SecretStr(api_key)),
        Upstream(provider="google", base_url=url, api_key=SecretStr(api_key)),
    ]
