"""``opencode``: sst's opencode, on OpenAI Chat Completions, inside the agent sandbox.

A custom provider in ``~/.config/opencode/opencode.json`` points at the gateway. ``run --format
json`` prints ``step_start``, ``text``, ``tool_use`` and ``step_finish`` (with ``tokens`` and
``cost``) events. It sends a title-generator request before the task. The specialist's prompt goes
to ``~/.config/opencode/AGENTS.md``, its global rules file.
"""

from __future__ import annotations

import json
from typing import Any

from zebench.agents.installed.base import AgentOutput, InstalledAgent, Parsed, RunContext, as_dict
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep

PROVIDER = "zebench"
RESULT_CAP = 4000


class OpencodeAgent(InstalledAgent):
    """Runs ``opencode run --format json -m zebench/MODEL PROMPT``."""

    name = "opencode"
    memory_file = ".config/opencode/AGENTS.md"

    def configure(self, ctx: RunContext) -> None:
        config = {
            "$schema": "https://opencode.ai/config.json",
            "provider": {
                PROVIDER: {
                    "npm": "@ai-sdk/openai-compatible",
                    "name": "zebench gateway",
                    "options": {"baseURL": ctx.access.url("/v1"), "apiKey": ctx.access.api_key},
                    "models": {ctx.model: {"name": ctx.model}},
                }
            },
            "model": f"{PROVIDER}/{ctx.model}",
            "small_model": f"{PROVIDER}/{ctx.model}",
            "autoupdate": False,
            "share": "disabled",
            "permission": {"edit": "allow", "bash": "allow", "webfetch": "deny"},
        }
        ctx.write(".config/opencode/opencode.json", json.dumps(config, indent=2))

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {"OPENCODE_DISABLE_AUTOUPDATE": "1", "OPENCODE_DISABLE_LSP_DOWNLOAD": "1"}

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        return [ctx.installation.binary, "run", "--format", "json", "-m", f"{PROVIDER}/{ctx.model}", prompt]

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed()
        usage = TokenUsage()
        cost = 0.0
        texts: list[str] = []
        for event in output.lines():
            part = as_dict(event.get("part"))
            kind = event.get("type")
            if kind == "text" and isinstance(part.get("text"), str):
                texts.append(part["text"])
                ctx.task.trajectory.message("assistant", part["text"], source="opencode")
            elif kind == "tool_use":
                ctx.task.trajectory.add(_tool_step(part))
            elif kind == "step_finish":
                parsed.turns += 1
                usage = usage + _tokens(part.get("tokens"))
                if isinstance(part.get("cost"), int | float):
                    cost += float(part["cost"])
            elif kind == "error":
                parsed.status = "failed"
                parsed.reason = f"opencode error: {json.dumps(event.get('error') or event)[:500]}"
        parsed.usage = usage
        parsed.llm_calls = parsed.turns
        parsed.final_message = texts[-1] if texts else ""
        # A custom provider has no price list: opencode reports 0, which is unknown, not free.
        parsed.cost_usd = cost or None
        return parsed


def _tool_step(part: dict[str, Any]) -> TrajectoryStep:
    state = as_dict(part.get("state"))
    arguments = as_dict(state.get("input"))
    result = state.get("output")
    text = result if isinstance(result, str) else (json.dumps(result) if result is not None else "")
    step = TrajectoryStep(
        type="tool_call",
        name=str(part.get("tool") or "unknown"),
        arguments=arguments,
        result=text[:RESULT_CAP],
        result_size=len(text),
        meta={"source": "opencode", "call_id": part.get("callID")},
    )
    timing = as_dict(state.get("time"))
    if isinstance(timing.get("start"), int | float) and isinstance(timing.get("end"), int | float):
        step.duration_ms = max(0, int(timing["end"] - timing["start"]))
    if state.get("status") == "error":
        step.error = str(state.get("error") or "tool error")[:500]
    return step


def _tokens(raw: Any) -> TokenUsage:
    if not isinstance(raw, dict):
        return TokenUsage()
    cache = as_dict(raw.get("cache"))

    def number(source: dict[str, Any], key: str) -> int:
        value = source.get(key)
        return int(value) if isinstance(value, int | float) else 0

    return TokenUsage(
        input=number(raw, "input"),
        output=number(raw, "output") + number(raw, "reasoning"),
        cache_read=number(cache, "read"),
        cache_write=number(cache, "write"),
    )
