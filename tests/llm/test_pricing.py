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


def test_a_negative_price_is_bad_input(tmp_path: Path) -> None:
    file = tmp_path / "prices.json"
    file.write_text(json.dumps({"models": {"m": {"input": 1, "output": 2, "cache_read": -0.1}}}))
    with pytest.raises(ZebenchError) as err:
        PricingTable.load(file)
    assert "models.m.cache_read" in str(err.value) and "greater than or equal to 0" in str(err.value)


# --- cached tokens, priced per wire (each checked against a hand computation) --------------------


def test_anthropic_cache_reads_and_writes_are_priced_apart_from_input() -> None:
    from zebench.gateway.wires.anthropic import usage_fields

    # Anthropic's input_tokens leave the cache out: 1,000 uncached, 20,000 read, 4,000 written
    # (1,000 of them for an hour), 500 out. claude-sonnet-4-6: $3 in, $15 out, reads $0.30 (0.1x),
    # 5-minute writes $3.75 (1.25x), 1-hour writes 2x input = $6.
    usage = usage_fields(
        {
            "input_tokens": 1000,
            "output_tokens": 500,
            "cache_read_input_tokens": 20_000,
            "cache_creation_input_tokens": 4000,
            "cache_creation": {"ephemeral_5m_input_tokens": 3000, "ephemeral_1h_input_tokens": 1000},
        }
    )
    assert (usage.input, usage.cache_read, usage.cache_write, usage.cache_write_1h) == (
        1000,
        20_000,
        4000,
        1000,
    )
    hand = (1000 * 3 + 500 * 15 + 20_000 * 0.3 + 3000 * 3.75 + 1000 * 6) / 1e6
    assert price_for("claude-sonnet-4-6", usage) == pytest.approx(hand)
    # Without the cache, every one of those 25,000 prompt tokens costs $3.
    price = PricingTable.load().lookup("claude-sonnet-4-6")
    assert price is not None and price.uncached_cost(usage) == pytest.approx((25_000 * 3 + 500 * 15) / 1e6)


def test_openai_chat_cached_tokens_are_inside_the_prompt_count() -> None:
    from openai.types import CompletionUsage

    from zebench.gateway.wires.openai_chat import chat_usage
    from zebench.llm.openai_client import OpenAICompatClient

    raw = {"prompt_tokens": 3000, "completion_tokens": 100, "prompt_tokens_details": {"cached_tokens": 2048}}
    # gpt-4.1: $2 in, $8 out, cached input $0.50 (0.25x); OpenAI bills no cache writes.
    hand = (952 * 2 + 2048 * 0.5 + 100 * 8) / 1e6
    gateway = chat_usage(raw)
    assert (gateway.input, gateway.cache_read, gateway.cache_write) == (952, 2048, 0)
    assert price_for("gpt-4.1", gateway) == pytest.approx(hand)

    raw_sdk = CompletionUsage.model_validate(
        {**raw, "total_tokens": 3100}
    )  # as the tool loop's client reads it
    direct = OpenAICompatClient._usage(raw_sdk)
    assert direct == gateway.tokens() and price_for("gpt-4.1", direct) == pytest.approx(hand)
    # gpt-4o's cached input is half the input price.
    assert price_for("gpt-4o", gateway) == pytest.approx((952 * 2.5 + 2048 * 1.25 + 100 * 10) / 1e6)


def test_openai_responses_cached_tokens_are_inside_the_input_count() -> None:
    from zebench.gateway.wires.openai_responses import responses_usage

    usage = responses_usage(
        {
            "input_tokens": 3000,
            "input_tokens_details": {"cached_tokens": 2048},
            "output_tokens": 100,
            "output_tokens_details": {"reasoning_tokens": 60},
        }
    )
    assert (usage.input, usage.cache_read, usage.output, usage.reasoning) == (952, 2048, 100, 60)
    # gpt-5: $1.25 in, $10 out (reasoning included), cached input $0.125 (0.1x).
    assert price_for("gpt-5", usage) == pytest.approx((952 * 1.25 + 2048 * 0.125 + 100 * 10) / 1e6)


def test_gemini_cached_content_is_inside_the_prompt_count() -> None:
    from zebench.gateway.wires.gemini import gemini_usage

    usage = gemini_usage(
        {
            "promptTokenCount": 3000,
            "cachedContentTokenCount": 2000,
            "candidatesTokenCount": 80,
            "thoughtsTokenCount": 20,
        }
    )
    assert (usage.input, usage.cache_read, usage.output) == (1000, 2000, 100)
    # gemini-2.5-flash on Google's API: $0.30 in, $2.50 out (thoughts included), cached $0.03.
    assert price_for("gemini-2.5-flash", usage) == pytest.approx((1000 * 0.3 + 2000 * 0.03 + 100 * 2.5) / 1e6)


def test_one_hour_writes_default_to_twice_the_input_price(tmp_path: Path) -> None:
    from zebench.results.model_calls import ModelUsage

    file = tmp_path / "prices.json"
    file.write_text(json.dumps({"mine": {"input": 2, "output": 4, "cache_read": 0.2, "cache_write": 2.5}}))
    table = PricingTable.load(file)
    usage = ModelUsage(cache_write=1_000_000, cache_write_1h=400_000)
    assert table.price_for("mine", usage) == pytest.approx(0.6 * 2.5 + 0.4 * 4)
    # A plain TokenUsage has no 1-hour part: every write at the 5-minute price.
    assert table.price_for("mine", TokenUsage(cache_write=1_000_000)) == pytest.approx(2.5)


def test_bundled_cache_prices_follow_the_providers_multipliers() -> None:
    table = bundled_prices()
    for model in ("claude-sonnet-4-6", "claude-opus-4-1", "claude-haiku-4-5", "claude-3-5-haiku"):
        price = table[model]
        assert price.cache_read == pytest.approx(price.input * 0.1), model
        assert price.cache_write == pytest.approx(price.input * 1.25), model
    for model, ratio in {"gpt-4o": 0.5, "gpt-4.1": 0.25, "gpt-5": 0.1, "o4-mini": 0.25}.items():
        price = table[model]
        assert price.cache_read == pytest.approx(price.input * ratio), model
        assert price.cache_write == price.input, model  # OpenAI bills no writes
    for model in ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-3-pro-preview"):
        assert table[model].cache_read == pytest.approx(table[model].input * 0.1), model
