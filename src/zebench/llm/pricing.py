"""Estimated cost from a shipped price table (``pricing.json``), extendable by a user file.

Matching is exact id, then the id without a ``vendor/`` prefix, then without a dated suffix
(``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4-5``); dots and dashes are interchangeable so
OpenRouter's ``anthropic/claude-sonnet-4.5`` finds ``claude-sonnet-4-5``. An unknown model has no
price (None), logged once per model per table — never a silent 0.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zebench.errors import ZebenchError
from zebench.results.models import TokenUsage

log = logging.getLogger(__name__)

PRICING_FILE_ENV = "ZEBENCH_PRICING_FILE"
_DATED_SUFFIX = re.compile(r"[-@](?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$")


class ModelPrice(BaseModel):
    """USD per million tokens. Cache prices default to the input price when a user file omits them.

    ``cache_read`` is the price of a cached input token read back, ``cache_write`` of one written to
    the cache (Anthropic's 5-minute writes; OpenAI and Gemini bill none, so theirs is the input
    price). ``cache_write_1h`` prices Anthropic's 1-hour writes, 2x input when omitted (Anthropic's
    published multiplier; only Anthropic reports them).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)
    cache_write_1h: float | None = Field(default=None, ge=0)

    def cost(self, usage: TokenUsage) -> float:
        """The USD cost of ``usage`` at this price.

        ``usage.input`` excludes cached tokens on every wire (the gateway and the clients split them
        out of OpenAI's and Gemini's prompt counts), so each token is priced exactly once.
        """
        cache_read = self.input if self.cache_read is None else self.cache_read
        cache_write = self.input if self.cache_write is None else self.cache_write
        hour_write = 2 * self.input if self.cache_write_1h is None else self.cache_write_1h
        hour_tokens = min(usage.cache_write, int(getattr(usage, "cache_write_1h", 0) or 0))
        total = (
            usage.input * self.input
            + usage.output * self.output
            + usage.cache_read * cache_read
            + (usage.cache_write - hour_tokens) * cache_write
            + hour_tokens * hour_write
        )
        return total / 1_000_000

    def uncached_cost(self, usage: TokenUsage) -> float:
        """What ``usage`` would have cost with no prompt cache: every prompt token at the input price."""
        prompt = usage.input + usage.cache_read + usage.cache_write
        return (prompt * self.input + usage.output * self.output) / 1_000_000


def _normalise(model_id: str) -> str:
    return model_id.strip().lower().replace(".", "-")


def _parse_prices(data: Any, source: str) -> dict[str, ModelPrice]:
    if not isinstance(data, dict):
        raise ZebenchError("a pricing file must be a mapping of model id to prices", file=source)
    table = data.get("models", data)
    if not isinstance(table, dict):
        raise ZebenchError("'models' must be a mapping of model id to prices", file=source, field="models")
    prices: dict[str, ModelPrice] = {}
    for model_id, entry in table.items():
        if str(model_id).startswith("_"):
            continue  # comments
        try:
            prices[str(model_id)] = ModelPrice.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ZebenchError(
                f"bad price for {model_id!r}: {first['msg']}",
                file=source,
                field=f"models.{model_id}.{'.'.join(str(x) for x in first['loc'])}".rstrip("."),
                hint=(
                    "give input and output (and optionally cache_read, cache_write, cache_write_1h) "
                    "in USD per million tokens, none negative"
                ),
            ) from exc
    return prices


def load_user_prices(path: Path) -> dict[str, ModelPrice]:
    """Read a user pricing file (JSON, or YAML by extension)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ZebenchError(
            f"cannot read pricing file: {exc.strerror}", file=path, hint=f"check {PRICING_FILE_ENV}"
        ) from exc
    try:
        data = yaml.safe_load(text) if path.suffix.lower() in {".yaml", ".yml"} else json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ZebenchError(f"pricing file is not valid: {exc}", file=path) from exc
    return _parse_prices(data, str(path))


def bundled_prices() -> dict[str, ModelPrice]:
    """The table shipped with zebench."""
    text = resources.files("zebench.llm").joinpath("pricing.json").read_text(encoding="utf-8")
    return _parse_prices(json.loads(text), "zebench/llm/pricing.json")


# Unknown models already warned about. Process-wide on purpose: each run builds its own client and
# table, and a batch of 100 runs of a local model must say it once, not 100 times.
_WARNED: set[str] = set()
_WARNED_LOCK = threading.Lock()


class PricingTable:
    """A price table. Create one per client or run; an unknown model is warned about once per process."""

    def __init__(self, prices: dict[str, ModelPrice]) -> None:
        self._prices = dict(prices)
        self._by_normal = {_normalise(k): v for k, v in self._prices.items()}

    @classmethod
    def load(cls, user_file: Path | None = None) -> PricingTable:
        """The bundled table, overridden and extended by ``user_file`` or ``$ZEBENCH_PRICING_FILE``."""
        prices = bundled_prices()
        if user_file is None and os.environ.get(PRICING_FILE_ENV):
            user_file = Path(os.environ[PRICING_FILE_ENV]).expanduser()
        if user_file is not None:
            prices.update(load_user_prices(user_file))
        return cls(prices)

    @property
    def models(self) -> list[str]:
        return sorted(self._prices)

    def lookup(self, model: str) -> ModelPrice | None:
        """The price of ``model``, trying exact, prefix-stripped and dated-suffix-stripped ids."""
        if model in self._prices:
            return self._prices[model]
        candidates = [model]
        if "/" in model:
            candidates.append(model.split("/", 1)[1])
        for candidate in list(candidates):
            stripped = _DATED_SUFFIX.sub("", candidate)
            if stripped != candidate:
                candidates.append(stripped)
        for candidate in candidates:
            found = self._by_normal.get(_normalise(candidate))
            if found is not None:
                return found
        return None

    def price_for(self, model: str, usage: TokenUsage) -> float | None:
        """Estimated USD cost of ``usage`` on ``model``; None (and one warning) when the model is unknown."""
        price = self.lookup(model)
        if price is None:
            with _WARNED_LOCK:
                first = model not in _WARNED
                _WARNED.add(model)
            if first:
                log.warning(
                    "no price known for model %r: its cost is reported as unknown; add it to a pricing file (%s)",
                    model,
                    PRICING_FILE_ENV,
                )
            return None
        return price.cost(usage)


def price_for(model: str, usage: TokenUsage, *, table: PricingTable | None = None) -> float | None:
    """Estimated USD cost of ``usage`` on ``model``, or None for an unknown model.

    Without ``table`` a fresh table is loaded (bundled + user file) for this one call; long-lived
    callers should keep a :class:`PricingTable` so an unknown model is warned about only once.
    """
    return (table or PricingTable.load()).price_for(model, usage)
