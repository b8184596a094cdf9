"""The ``llm_judge`` evaluator: a model scores the agent's work against the scenario's weighted categories.

It honours the scenario's ``llm_judge`` model, provider, temperature and max_tokens (the original
ignored them), records its own tokens and cost apart from the agent's, and is ``skipped`` — never
scored 0 — when it is disabled, has no categories, or has no API key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator
from zebench.llm.client import create_client
from zebench.llm.config import (
    API_KEY_ENV,
    PROVIDERS,
    has_api_key,
    read_setting,
    resolve_api_key,
    resolve_base_url,
)
from zebench.llm.judging import (
    SYSTEM_PROMPT,
    JudgeCategory,
    JudgeReplyError,
    build_prompt,
    parse_categories,
    parse_verdict,
    weighted_score,
)
from zebench.llm.types import (
    LLMMessage,
    LLMRequest,
    LLMRequestError,
    LLMUnavailableError,
    MissingAPIKeyError,
    Provider,
    RetryEvent,
)
from zebench.results.models import EvaluationResult, TokenUsage
from zebench.scenarios.model import LLMJudgeConfig

PASS_THRESHOLD = 0.7
MAX_ATTEMPTS = 2  # the first try plus ONE retry that tells the model what was wrong
RAW_REPLY_CAP = 4_000
JUDGE_MODEL_ENV = "ZEBENCH_JUDGE_MODEL"
JUDGE_PROVIDER_ENV = "ZEBENCH_JUDGE_PROVIDER"
DEFAULT_JUDGE_MODELS: dict[Provider, str] = {
    "anthropic": "claude-sonnet-4-6",
    "openrouter": "anthropic/claude-sonnet-4.6",
    "openai": "gpt-4.1",
}


class JudgeSetupError(Exception):
    """The judge's model or provider cannot be worked out; the message says how to fix it."""


class JudgeSkip(Exception):
    """The judge cannot run here (no key): a skip, not a failure."""


def infer_provider(model: str) -> Provider:
    """``vendor/model`` → openrouter, ``claude-*`` → anthropic, ``gpt-*``/``o1``/``o3``… → openai."""
    if "/" in model:
        return "openrouter"
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith(("gpt-", "chatgpt")) or re.match(r"^o\d", lowered):
        return "openai"
    raise JudgeSetupError(f"cannot tell the provider of judge model {model!r}: set llm_judge.provider")


@dataclass(frozen=True)
class JudgeTarget:
    provider: Provider
    model: str


def _as_provider(value: str) -> Provider:
    for provider in PROVIDERS:
        if provider == value:
            return provider
    raise JudgeSetupError(f"unknown judge provider {value!r}: use one of {', '.join(PROVIDERS)}")


def resolve_target(cfg: LLMJudgeConfig) -> JudgeTarget:
    """The scenario's model/provider; the environment only when the scenario names neither."""
    model, provider_name = cfg.model, cfg.provider
    if model is None and provider_name is None:
        model, provider_name = read_setting(JUDGE_MODEL_ENV), read_setting(JUDGE_PROVIDER_ENV)
    provider = _as_provider(provider_name) if provider_name is not None else None
    if model is None:
        if provider is None:
            provider = next((p for p in DEFAULT_JUDGE_MODELS if has_api_key(p)), None)
            if provider is None:
                keys = ", ".join(API_KEY_ENV.values())
                raise JudgeSkip(f"judge skipped: no judge model configured and no API key set ({keys})")
        model = DEFAULT_JUDGE_MODELS[provider]
    return JudgeTarget(provider=provider or infer_provider(model), model=model)


@register_evaluator("llm_judge")
class LLMJudgeEvaluator(BaseEvaluator):
    """Scores categories 1–5 with a model; score = weighted mean of (s − 1) / 4; passes at ≥ 0.7."""

    name: ClassVar[str] = "llm_judge"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        cfg = ctx.scenario.llm_judge
        if cfg is None or not cfg.enabled:
            return self.skipped(ctx, "LLM judge disabled for this scenario")
        categories = parse_categories(cfg.categories)
        if not categories:
            return self.skipped(ctx, "LLM judge has no categories configured")
        try:
            target = resolve_target(cfg)
        except JudgeSkip as skip:
            return self.skipped(ctx, str(skip))
        except JudgeSetupError as exc:
            return self._error(ctx, str(exc), {})
        base_url = resolve_base_url(target.provider, ctx.spec.config.get("base_url"))
        try:
            resolve_api_key(target.provider, base_url=base_url)
        except MissingAPIKeyError as exc:
            details = {"provider": target.provider, "model": target.model}
            return self.skipped(ctx, f"judge skipped: {exc.message}", details)
        on_event = ctx.extra.get("on_event")

        def on_retry(event: RetryEvent) -> None:
            # Same channel as the agents' waits, so the CLI can show a judge that is rate limited.
            if callable(on_event):
                on_event(f"llm_judge: retry {event.attempt} in {event.wait_s:.1f}s ({event.reason})")

        client = create_client(
            target.provider,
            base_url=base_url,
            on_retry=on_retry,
            max_retries=int(ctx.spec.config.get("max_retries", 5)),
            max_total_wait_s=float(ctx.spec.config.get("max_total_wait_s", 120)),
            backoff_base_s=float(ctx.spec.config.get("backoff_base_s", 1.0)),
        )
        return _Judgement(self, ctx, target, cfg, categories).run(client)

    def _error(self, ctx: EvaluationContext, summary: str, details: dict[str, Any]) -> EvaluationResult:
        return EvaluationResult(
            name=self.name,
            status="error",
            score=None,
            weight=ctx.spec.weight,
            required=ctx.spec.required,
            passed=False,
            summary=summary[:300],
            details=details,
        )


class _Judgement:
    """One judging conversation: at most two calls, usage and cost summed across them."""

    def __init__(
        self,
        evaluator: LLMJudgeEvaluator,
        ctx: EvaluationContext,
        target: JudgeTarget,
        cfg: LLMJudgeConfig,
        categories: list[JudgeCategory],
    ) -> None:
        self.evaluator = evaluator
        self.ctx = ctx
        self.target = target
        self.cfg = cfg
        self.categories = categories
        self.usage = TokenUsage()
        self.cost: float | None = 0.0
        self.cost_kinds: set[str] = set()
        self.replies: list[str] = []

    def _details(self) -> dict[str, Any]:
        kind = None
        if self.cost is not None and self.cost_kinds:
            kind = "measured" if self.cost_kinds == {"measured"} else "estimated"
        return {
            "provider": self.target.provider,
            "model": self.target.model,
            "temperature": self.cfg.temperature,
            "max_tokens": self.cfg.max_tokens,
            "attempts": len(self.replies),
            "usage": self.usage.model_dump(),
            "cost_usd": None if self.cost is None else round(self.cost, 6),
            "cost_kind": kind,
        }

    def run(self, client: Any) -> EvaluationResult:
        messages = [LLMMessage(role="user", content=build_prompt(self.ctx, self.categories))]
        problem = ""
        for _ in range(MAX_ATTEMPTS):
            request = LLMRequest(
                model=self.target.model,
                system=SYSTEM_PROMPT,
                messages=list(messages),
                max_tokens=self.cfg.max_tokens,
                temperature=self.cfg.temperature,
                json_mode=True,
            )
            try:
                response = client.complete(request)
            except (LLMUnavailableError, LLMRequestError) as exc:
                return self.evaluator._error(self.ctx, f"judge call failed: {exc}", self._details())
            self.usage = self.usage + response.usage
            if response.cost_usd is None or self.cost is None:
                self.cost = None
            else:
                self.cost += response.cost_usd
                if response.cost_kind:
                    self.cost_kinds.add(response.cost_kind)
            self.replies.append(response.text)
            try:
                reply, scores = parse_verdict(response.text, self.categories)
            except JudgeReplyError as exc:
                problem = str(exc)
                messages.append(LLMMessage(role="assistant", content=response.text or "(empty reply)"))
                messages.append(
                    LLMMessage(
                        role="user",
                        content=(
                            f"Your reply could not be used: {problem}. Reply again with ONLY the JSON object "
                            '{"scores": [{"category": "<key>", "score": 1-5, "reasoning": "..."}], '
                            '"overall_assessment": "..."} with one entry for each of these keys: '
                            f"{', '.join(c.slug for c in self.categories)}."
                        ),
                    )
                )
                continue
            return self._scored(reply.overall_assessment, scores)
        details = self._details()
        details["error"] = problem
        details["raw_replies"] = [r[:RAW_REPLY_CAP] for r in self.replies]
        return self.evaluator._error(
            self.ctx, f"judge reply unusable after {MAX_ATTEMPTS} attempts: {problem}", details
        )

    def _scored(self, overall: str, scores: dict[str, Any]) -> EvaluationResult:
        score = weighted_score(self.categories, scores)
        details = self._details()
        details["categories"] = [
            {
                "category": c.slug,
                "name": c.name,
                "weight": round(c.weight, 6),
                "score": scores[c.slug].score,
                "normalized": round((scores[c.slug].score - 1) / 4, 6),
                "reasoning": scores[c.slug].reasoning,
            }
            for c in self.categories
        ]
        details["overall_assessment"] = overall
        mean_raw = sum(c.weight * scores[c.slug].score for c in self.categories)
        return self.evaluator.scored(
            self.ctx,
            score,
            passed=score >= PASS_THRESHOLD,
            summary=f"judge {self.target.model}: {mean_raw:.2f}/5 weighted → {score:.2f}",
            details=details,
        )
