"""``gemini-cli``: Google's Gemini CLI, on Gemini's generateContent API, inside the agent sandbox.

``GOOGLE_GEMINI_BASE_URL`` points it at the gateway (plain http is accepted for 127.0.0.1) and
``~/.gemini/settings.json`` selects API-key auth, or it exits with "Invalid auth method selected".
``--output-format stream-json`` prints ``init``, ``message``, ``tool_use``, ``tool_result`` and a
final ``result`` whose ``stats`` hold the usage. The specialist's prompt goes to
``~/.gemini/GEMINI.md``, its global context file.
"""

from __future__ import annotations

import json
from typing import Any

from zebench.agents.installed.base import AgentOutput, InstalledAgent, Parsed, RunContext, as_dict
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep

RESULT_CAP = 4000
SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "privacy": {"usageStatisticsEnabled": False},
    "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
    "telemetry": {"enabled": False},
}


class GeminiAgent(InstalledAgent):
    """Runs ``gemini -p PROMPT -m MODEL --yolo --output-format stream-json``."""

    name = "gemini-cli"
    default_model = "gemini-2.5-pro"
    memory_file = ".gemini/GEMINI.md"

    def configure(self, ctx: RunContext) -> None:
        ctx.write(".gemini/settings.json", json.dumps(SETTINGS, indent=2))

    def environment(self, ctx: RunContext) -> dict[str, str]:
        # The workspace is the folder it works in, so it is trusted (headless runs refuse otherwise).
        return {
            "GOOGLE_GEMINI_BASE_URL": ctx.access.url(),
            "GEMINI_API_KEY": ctx.access.api_key,
            "GEMINI_CLI_TRUST_WORKSPACE": "true",
        }

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        return [
            ctx.installation.binary,
            "-p",
            prompt,
            "-m",
            ctx.model,
            "--yolo",
            "--output-format",
            "stream-json",
        ]

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed()
        trajectory = ctx.task.trajectory
        calls: dict[str, TrajectoryStep] = {}
        reply: list[str] = []
        for event in output.lines():
            kind = event.get("type")
            if (
                kind == "message"
                and event.get("role") == "assistant"
                and isinstance(event.get("content"), str)
            ):
                reply.append(event["content"])  # streamed in deltas: joined into one message per turn
            elif kind == "tool_use":
                _flush(trajectory, reply, parsed)
                step = trajectory.add(
                    TrajectoryStep(
                        type="tool_call",
                        name=str(event.get("tool_name") or "unknown"),
                        arguments=as_dict(event.get("parameters")),
                        meta={"source": "gemini-cli", "tool_id": event.get("tool_id")},
                    )
                )
                calls[str(event.get("tool_id"))] = step
            elif kind == "tool_result":
                _result(calls.pop(str(event.get("tool_id")), None), event)
            elif kind == "error":
                trajectory.note(f"gemini-cli: {event.get('message')}", source="gemini-cli")
            elif kind == "result":
                _flush(trajectory, reply, parsed)
                self._final(event, parsed)
        _flush(trajectory, reply, parsed)
        return parsed

    def _final(self, event: dict[str, Any], parsed: Parsed) -> None:
        stats = as_dict(event.get("stats"))
        cached = _int(stats.get("cached"))
        parsed.usage = TokenUsage(
            input=_int(stats.get("input_tokens")) - cached,
            output=_int(stats.get("output_tokens")),
            cache_read=cached,
        )
        parsed.metadata["gemini_stats"] = {k: stats[k] for k in ("duration_ms", "tool_calls") if k in stats}
        if event.get("status") not in (None, "success"):
            error = as_dict(event.get("error")).get("message") or event.get("status")
            parsed.status, parsed.reason = "failed", f"gemini-cli: {error}"[:500]


def _flush(trajectory: Any, reply: list[str], parsed: Parsed) -> None:
    text = "".join(reply).strip()
    reply.clear()
    if text:
        parsed.final_message = text
        parsed.turns += 1
        trajectory.message("assistant", text, source="gemini-cli")


def _result(step: TrajectoryStep | None, event: dict[str, Any]) -> None:
    if step is None:
        return
    output = event.get("output")
    text = output if isinstance(output, str) else json.dumps(output) if output is not None else ""
    step.result, step.result_size = text[:RESULT_CAP], len(text)
    if event.get("status") == "error":
        step.error = str(as_dict(event.get("error")).get("message") or "tool error")[:500]


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) and value >= 0 else 0
