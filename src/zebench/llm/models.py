"""``list_models``: what a provider offers, with tool support and prices where known.

OpenRouter's public catalogue (``GET {base}/models``) is cached for an hour under
``$XDG_CACHE_HOME/zebench`` (default ``~/.cache/zebench``); the other providers are asked through
their SDK's ``/v1/models`` and priced from the pricing table.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx2
from pydantic import BaseModel, ConfigDict

from zebench.llm.config import API_KEY_ENV, read_setting, resolve_api_key, resolve_base_url
from zebench.llm.pricing import PricingTable
from zebench.llm.types import LLMUnavailableError, Provider

CATALOGUE_MAX_AGE_S = 3600.0


class ModelInfo(BaseModel):
    """One model a provider serves. ``supports_tools`` and prices are None when unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    supports_tools: bool | None = None
    input_price_per_m: float | None = None  # USD per million input tokens
    output_price_per_m: float | None = None


def cache_dir() -> Path:
    """zebench's cache folder: ``$XDG_CACHE_HOME/zebench`` or ``~/.cache/zebench``."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "zebench"


def _per_million(value: Any) -> float | None:
    try:
        return float(value) * 1_000_000
    except (TypeError, ValueError):
        return None


def _openrouter_catalogue(base_url: str, *, max_age_s: float, cache: Path) -> list[dict[str, Any]]:
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:12]
    file = cache / f"openrouter-models-{digest}.json"
    if file.is_file() and time.time() - file.stat().st_mtime < max_age_s:
        try:
            cached = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(cached, list):
                return cached
        except (OSError, json.JSONDecodeError):
            pass  # a damaged cache is simply refetched
    headers = {}
    key = read_setting(API_KEY_ENV["openrouter"])
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        response = httpx2.get(f"{base_url.rstrip('/')}/models", headers=headers, timeout=30.0)
        response.raise_for_status()
        data = response.json().get("data")
    except (httpx2.HTTPError, ValueError, AttributeError) as exc:
        raise LLMUnavailableError(f"could not fetch the OpenRouter model catalogue: {exc}") from exc
    if not isinstance(data, list):
        raise LLMUnavailableError("the OpenRouter model catalogue has no 'data' list")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(file)
    except OSError:
        pass  # caching is an optimisation; a read-only home must not break the listing
    return data


def _from_openrouter(entry: dict[str, Any]) -> ModelInfo:
    pricing = entry.get("pricing") or {}
    params = entry.get("supported_parameters")
    return ModelInfo(
        id=str(entry.get("id")),
        name=str(entry.get("name") or entry.get("id")),
        supports_tools=("tools" in params) if isinstance(params, list) else None,
        input_price_per_m=_per_million(pricing.get("prompt")),
        output_price_per_m=_per_million(pricing.get("completion")),
    )


def _from_sdk(provider: Provider, base_url: str, api_key: str) -> list[tuple[str, str]]:
    if provider == "anthropic":
        import anthropic

        client = anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=2)
        try:
            return [(m.id, getattr(m, "display_name", None) or m.id) for m in client.models.list()]
        except anthropic.APIError as exc:
            raise LLMUnavailableError(f"could not list Anthropic models: {exc}") from exc
    import openai

    oclient = openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=2)
    try:
        return [(m.id, m.id) for m in oclient.models.list()]
    except openai.APIError as exc:
        raise LLMUnavailableError(f"could not list models: {exc}") from exc


def list_models(
    provider: Provider,
    *,
    base_url: str | None = None,
    query: str | None = None,
    max_age_s: float = CATALOGUE_MAX_AGE_S,
    cache: Path | None = None,
) -> list[ModelInfo]:
    """The provider's models, sorted by id; ``query`` keeps ids or names containing it (any case)."""
    url = resolve_base_url(provider, base_url)
    if provider == "openrouter":
        models = [
            _from_openrouter(e)
            for e in _openrouter_catalogue(url, max_age_s=max_age_s, cache=cache or cache_dir())
            if isinstance(e, dict) and e.get("id")
        ]
    else:
        table = PricingTable.load()
        models = []
        for model_id, name in _from_sdk(provider, url, resolve_api_key(provider, base_url=url)):
            price = table.lookup(model_id)
            models.append(
                ModelInfo(
                    id=model_id,
                    name=name,
                    supports_tools=True if provider == "anthropic" else None,
                    input_price_per_m=price.input if price else None,
                    output_price_per_m=price.output if price else None,
                )
            )
    if query:
        needle = query.lower()
        models = [m for m in models if needle in m.id.lower() or needle in m.name.lower()]
    return sorted(models, key=lambda m: m.id)
