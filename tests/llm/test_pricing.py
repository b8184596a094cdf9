"""Cost estimates from the shipped table and user overrides; unknown models are None plus one warning."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pytest

from zebench.errors import ZebenchError
from zebench.llm.pricing import PRICING_FILE_ENV, PricingTable, bundled_prices, price_for
from zebench.results.models import TokenUsage

MILLION = TokenUsage(input=1_000_000, output=1_000_000, cache_read=1_000_000, cache_write=1_000_000)


@pytest.fixture(autouse=True)
def _no_user_pricing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRICING_FILE_ENV, raising=False)


def test_bundled_table_covers_the_required_families() -> None:
    ids = set(bundled_prices())
    for model in [
        "claude-opus-4-1",
        "claude-opus-4-5",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-3-5-haiku",
        "claude-3-7-sonnet",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-5",
        "gpt-5-mini",
        "o3",
        "o4-mini",
        "google/gemini-2.5-pro",
        "meta-llama/llama-3.3-70b-instruct",
        "deepseek/deepseek-chat-v3.1",
    ]:
        assert model in ids, model


def test_sonnet_and_opus_are_not_priced_alike() -> None:
    # The original billed every Anthropic model at Sonnet prices.
    usage = TokenUsage(input=1000, output=1000)
    table = PricingTable.load()
    sonnet = table.price_for("claude-sonnet-4-5", usage)
    opus = table.price_for("claude-opus-4-1", usage)
    haiku = table.price_for("claude-haiku-4-5", usage)
    assert sonnet == pytest.approx((1000 * 3 + 1000 * 15) / 1e6)
    assert opus == pytest.approx((1000 * 15 + 1000 * 75) / 1e6)
    assert haiku == pytest.approx((1000 * 1 + 1000 * 5) / 1e6)


def test_every_token_kind_is_priced() -> None:
    cost = price_for("claude-sonnet-4-5", MILLION)
    assert cost == pytest.approx(3 + 15 + 0.3 + 3.75)


def test_matching_strips_prefix_dates_and_dots() -> None:
    table = PricingTable.load()
    usage = TokenUsage(input=1_000_000)
    assert table.price_for("claude-sonnet-4-5-20250929", usage) == pytest.approx(3.0)
    assert table.price_for("openai/gpt-4.1-mini", usage) == pytest.approx(0.4)
    assert table.price_for("anthropic/claude-opus-4.1", usage) == pytest.approx(15.0)
    assert table.price_for("gpt-4o-2024-08-06", usage) == pytest.approx(2.5)


def test_unknown_model_is_none_with_one_warning_per_model(caplog: pytest.LogCaptureFixture) -> None:
    mystery, other = f"mystery-{uuid.uuid4().hex}", f"other-{uuid.uuid4().hex}"  # unwarned in this process
    with caplog.at_level(logging.WARNING, logger="zebench.llm.pricing"):
        assert PricingTable.load().price_for(mystery, TokenUsage(input=10)) is None
        # Another run's table (each run builds its own client): still one warning per process.
        table = PricingTable.load()
        assert table.price_for(mystery, TokenUsage(input=10)) is None
        assert table.price_for(other, TokenUsage(input=10)) is None
    messages = [r.getMessage() for r in caplog.records]
    assert sum(mystery in m for m in messages) == 1
    assert sum(other in m for m in messages) == 1


def test_user_file_overrides_and_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "prices.yaml"
    file.write_text(
        "models:\n  claude-sonnet-4-5: {input: 1, output: 2}\n  my-local-model: {input: 0.5, output: 0.5}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(PRICING_FILE_ENV, str(file))
    usage = TokenUsage(input=1_000_000, output=1_000_000, cache_read=1_000_000)
    assert price_for("claude-sonnet-4-5", usage) == pytest.approx(1 + 2 + 1)  # cache_read defaults to input
    assert price_for("my-local-model", usage) == pytest.approx(1.5)
    assert price_for("gpt-4o", TokenUsage(input=1_000_000)) == pytest.approx(2.5)  # bundled entries stay


def test_user_json_file_flat_shape(tmp_path: Path) -> None:
    file = tmp_path / "prices.json"
    file.write_text(json.dumps({"tiny": {"input": 2, "output": 4, "cache_read": 0, "cache_write": 0}}))
    table = PricingTable.load(file)
    assert table.price_for("tiny", TokenUsage(input=500_000, output=500_000)) == pytest.approx(3.0)


def test_bad_user_file_names_file_and_field(tmp_path: Path) -> None:
    file = tmp_path / "prices.json"
    file.write_text(json.dumps({"models": {"m": {"input": "cheap"}}}))
    with pytest.raises(ZebenchError) as err:
        PricingTable.load(file)
    assert str(file) in str(err.value)
    assert "models.m" in str(err.value)
