"""list_models: OpenRouter's catalogue (cached), other providers' /v1/models priced from the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeLLMServer, FakeModelInfo, FakeScript
from zebench.llm.models import cache_dir, list_models

MODELS = [
    FakeModelInfo(
        id="anthropic/claude-sonnet-4.5", name="Claude Sonnet 4.5", prompt_price=3e-6, completion_price=15e-6
    ),
    FakeModelInfo(id="meta-llama/llama-guard", name="Llama Guard", supports_tools=False),
    FakeModelInfo(id="openai/gpt-4o", name="GPT-4o", prompt_price=2.5e-6, completion_price=1e-5),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values()]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


def test_openrouter_catalogue_prices_tools_and_query(tmp_path: Path) -> None:
    with FakeLLMServer(FakeScript(models=MODELS)) as fake:
        models = list_models("openrouter", base_url=fake.openrouter_base_url)
        by_id = {m.id: m for m in models}
        assert by_id["anthropic/claude-sonnet-4.5"].input_price_per_m == pytest.approx(3.0)
        assert by_id["anthropic/claude-sonnet-4.5"].output_price_per_m == pytest.approx(15.0)
        assert by_id["anthropic/claude-sonnet-4.5"].supports_tools is True
        assert by_id["meta-llama/llama-guard"].supports_tools is False
        hits = list_models("openrouter", base_url=fake.openrouter_base_url, query="GPT")
        assert [m.id for m in hits] == ["openai/gpt-4o"]
        assert len(fake.requests_to("/api/v1/models")) == 1  # the second listing came from the cache
    assert cache_dir() == tmp_path / "cache" / "zebench"
    assert list(cache_dir().glob("openrouter-models-*.json"))


def test_openrouter_cache_expires(tmp_path: Path) -> None:
    with FakeLLMServer(FakeScript(models=MODELS)) as fake:
        list_models("openrouter", base_url=fake.openrouter_base_url)
        list_models("openrouter", base_url=fake.openrouter_base_url, max_age_s=0)
        assert len(fake.requests_to("/api/v1/models")) == 2


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_provider_model_list_priced_from_table(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV[provider], "sk-test-0000000000000000")  # type: ignore[index]
    script = FakeScript(models=[FakeModelInfo(id="claude-haiku-4-5"), FakeModelInfo(id="gpt-4o-mini")])
    with FakeLLMServer(script) as fake:
        url = fake.url if provider == "anthropic" else fake.openai_base_url
        models = list_models(provider, base_url=url, query="haiku")  # type: ignore[arg-type]
    assert [m.id for m in models] == ["claude-haiku-4-5"]
    assert models[0].input_price_per_m == pytest.approx(1.0)
    assert models[0].output_price_per_m == pytest.approx(5.0)
