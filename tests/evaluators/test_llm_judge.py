"""The llm_judge evaluator against the fake LLM server: weights, retries, settings honoured, skips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zebench.agents.base import AgentResult
from zebench.evaluators.base import get_evaluator
from zebench.evaluators.builtin.llm_judge import LLMJudgeEvaluator, infer_provider, resolve_target
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeUsage
from zebench.results.models import CommandResult
from zebench.scenarios.model import LLMJudgeConfig

CATEGORIES = [
    "Correctness (Weight: 50%): the change does what was asked",
    "Code Quality (30%): clean, idiomatic",
    "Testing: tests were added or updated",
]


def verdict(correctness: int = 5, code_quality: int = 3, testing: int = 2) -> str:
    return json.dumps(
        {
            "scores": [
                {"category": "correctness", "score": correctness, "reasoning": "works"},
                {"category": "code_quality", "score": code_quality, "reasoning": "ok"},
                {"category": "testing", "score": testing, "reasoning": "thin"},
            ],
            "overall_assessment": "Solid but under-tested.",
        }
    )


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [
        *API_KEY_ENV.values(),
        *BASE_URL_ENV.values(),
        "ZEBENCH_JUDGE_MODEL",
        "ZEBENCH_JUDGE_PROVIDER",
    ]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("ZEBENCH_PRICING_FILE", raising=False)
    monkeypatch.chdir(tmp_path)


def judge_ctx(make_ctx: Any, cfg: LLMJudgeConfig | None, **kw: Any) -> Any:
    ctx = make_ctx(
        "llm_judge",
        llm_judge=cfg,
        description="Move the app to React 19.",
        constraints={"no_new_deps": True},
        config={"backoff_base_s": 0.01},
        **kw,
    )
    ctx.diff = "diff --git a/x b/x\n+new line\n" + "x" * 50_000
    ctx.validation = [
        CommandResult(
            name="tests", kind="test", command="npm test", exit_code=1, stderr="FAIL src/app.test.ts"
        ),
        CommandResult(name="build", kind="build", command="npm run build", exit_code=0),
    ]
    ctx.agent_result = AgentResult(final_message="I upgraded React.")
    return ctx


def anthropic_cfg(**kw: Any) -> LLMJudgeConfig:
    fields: dict[str, Any] = {"enabled": True, "model": "claude-haiku-4-5", "categories": CATEGORIES}
    fields.update(kw)
    return LLMJudgeConfig(**fields)


def use_fake(monkeypatch: pytest.MonkeyPatch, fake: FakeLLMServer) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-JUDGEJUDGEJUDGE000000")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-JUDGEJUDGEJUDGE000000")
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake.openrouter_base_url)


def test_registered_under_llm_judge() -> None:
    assert isinstance(get_evaluator("llm_judge"), LLMJudgeEvaluator)


def test_weighted_score_matches_hand_computation(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = FakeUsage(input_tokens=2000, output_tokens=300)
    with FakeLLMServer(FakeScript(default=FakeReply(text=verdict()), usage=usage)) as fake:
        use_fake(monkeypatch, fake)
        result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, anthropic_cfg()))
        body = fake.requests[-1].body
    # weights: 50%, 30%, and the unweighted category takes the remaining 20%
    expected = 0.5 * (5 - 1) / 4 + 0.3 * (3 - 1) / 4 + 0.2 * (2 - 1) / 4
    assert result.status == "scored"
    assert result.score == pytest.approx(expected)
    assert result.passed is (expected >= 0.7)
    cats = {c["category"]: c for c in result.details["categories"]}
    assert cats["testing"]["weight"] == pytest.approx(0.2)
    assert cats["correctness"]["reasoning"] == "works"
    assert result.details["overall_assessment"] == "Solid but under-tested."
    assert result.details["usage"] == {"input": 2000, "output": 300, "cache_read": 0, "cache_write": 0}
    assert result.details["cost_usd"] == pytest.approx((2000 * 1 + 300 * 5) / 1e6)  # haiku, not sonnet
    assert result.details["model"] == "claude-haiku-4-5"
    prompt = body["messages"][0]["content"]
    for expected_text in [
        "Upgrade React",
        "Move the app to React 19.",
        "do the task",
        "no_new_deps",
        "+new line",
        "diff truncated",
        "npm test",
        "FAIL src/app.test.ts",
        "I upgraded React.",
        "`code_quality`",
    ]:
        assert expected_text in prompt, expected_text
    assert len(prompt) < 40_000


def test_judge_honours_scenario_model_temperature_and_max_tokens(
    make_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text=verdict()))) as fake:
        use_fake(monkeypatch, fake)
        monkeypatch.setenv("ZEBENCH_JUDGE_MODEL", "gpt-4o-mini")  # ignored: the scenario names a model
        cfg = anthropic_cfg(model="claude-opus-4-6", temperature=0.35, max_tokens=1234)
        result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, cfg))
        body = fake.requests[-1].body
    assert result.status == "scored"
    assert fake.requests[-1].path == "/v1/messages"
    assert body["model"] == "claude-opus-4-6"
    assert body["temperature"] == 0.35
    assert body["max_tokens"] == 1234


def test_openrouter_judge_inferred_from_vendor_model(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeLLMServer(FakeScript(default=FakeReply(text=verdict()), cost=0.0042)) as fake:
        use_fake(monkeypatch, fake)
        cfg = anthropic_cfg(model="openai/gpt-4o-mini")
        result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, cfg))
        seen = fake.requests[-1]
    assert result.status == "scored"
    assert seen.path == "/api/v1/chat/completions"
    assert seen.body["response_format"] == {"type": "json_object"}
    assert result.details["cost_usd"] == pytest.approx(0.0042)
    assert result.details["cost_kind"] == "measured"


def test_malformed_then_valid_is_retried_once_with_the_problem(
    make_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = FakeScript(
        turns=[FakeReply(text="Sure! The scores are great."), FakeReply(text=verdict(4, 4, 4))]
    )
    with FakeLLMServer(script) as fake:
        use_fake(monkeypatch, fake)
        result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, anthropic_cfg()))
        bodies = [r.body for r in fake.requests]
    assert result.status == "scored"
    assert result.score == pytest.approx(0.75)
    assert result.details["attempts"] == 2
    assert result.details["usage"]["input"] == 240  # both calls counted
    assert len(bodies) == 2
    retry_note = bodies[1]["messages"][-1]["content"]
    assert "not valid JSON" in retry_note and "correctness, code_quality, testing" in retry_note


def test_malformed_twice_is_an_error_not_a_zero(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = json.dumps({"scores": [{"category": "correctness", "score": 5}], "overall_assessment": ""})
    with FakeLLMServer(FakeScript(default=FakeReply(text=missing))) as fake:
        use_fake(monkeypatch, fake)
        result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, anthropic_cfg()))
        assert len(fake.requests) == 2
    assert result.status == "error"
    assert result.score is None
    assert "missing for: code_quality, testing" in result.summary
    assert len(result.details["raw_replies"]) == 2
    assert result.details["usage"]["output"] == 80


def test_provider_outage_is_an_error(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    faults = [FakeFault(at=n, kind="status", status=500) for n in range(1, 10)]
    with FakeLLMServer(FakeScript(faults=faults)) as fake:
        use_fake(monkeypatch, fake)
        ctx = judge_ctx(make_ctx, anthropic_cfg())
        ctx.spec.config["max_retries"] = 1
        result = get_evaluator("llm_judge").evaluate(ctx)
    assert result.status == "error" and result.score is None
    assert "judge call failed" in result.summary


@pytest.mark.parametrize(
    ("cfg", "summary"),
    [
        (None, "disabled"),
        (LLMJudgeConfig(enabled=False, categories=CATEGORIES), "disabled"),
        (LLMJudgeConfig(enabled=True, model="claude-haiku-4-5"), "no categories"),
        (
            LLMJudgeConfig(enabled=True, model="claude-haiku-4-5", categories=CATEGORIES),
            "ANTHROPIC_API_KEY is not set",
        ),
        (
            LLMJudgeConfig(enabled=True, model="openai/gpt-4o", categories=CATEGORIES),
            "OPENROUTER_API_KEY is not set",
        ),
        (LLMJudgeConfig(enabled=True, categories=CATEGORIES), "no judge model configured and no API key"),
    ],
)
def test_skipped_not_zero(make_ctx: Any, cfg: LLMJudgeConfig | None, summary: str) -> None:
    result = get_evaluator("llm_judge").evaluate(judge_ctx(make_ctx, cfg))
    assert result.status == "skipped"
    assert result.score is None
    assert summary in result.summary


def test_provider_inference_and_env_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert infer_provider("anthropic/claude-sonnet-4.5") == "openrouter"
    assert infer_provider("claude-haiku-4-5") == "anthropic"
    assert infer_provider("gpt-4.1") == "openai"
    assert infer_provider("o4-mini") == "openai"
    monkeypatch.setenv("ZEBENCH_JUDGE_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("ZEBENCH_JUDGE_PROVIDER", "openrouter")
    target = resolve_target(LLMJudgeConfig(enabled=True))
    assert (target.provider, target.model) == ("openrouter", "gpt-4o-mini")
    # The scenario's model wins, and its provider is inferred from it rather than taken from the env.
    target = resolve_target(LLMJudgeConfig(enabled=True, model="claude-opus-4-6"))
    assert (target.provider, target.model) == ("anthropic", "claude-opus-4-6")
