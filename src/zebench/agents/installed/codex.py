"""``codex``: OpenAI's Codex CLI, on the Responses API, inside the agent sandbox.

``$CODEX_HOME/config.toml`` (the private HOME's ``.codex``) names a custom model provider at the
gateway with ``wire_api = "responses"``: ``OPENAI_BASE_URL`` alone does not redirect it. Its own
sandbox is off (``--dangerously-bypass-approvals-and-sandbox``): ours is the one that counts, and
its own may not start inside it. ``exec --json`` prints ``item.*`` events (commands, file changes,
messages) and ``turn.completed`` with usage. The specialist's prompt goes to
``$CODEX_HOME/AGENTS.md``, Codex's global instructions.
"""

from __future__ import annotations

import json
from typing import Any

from zebench.agents.installed.base import AgentOutput, InstalledAgent, Parsed, RunContext, as_dict
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep

KEY_VARIABLE = "ZEBENCH_GATEWAY_KEY"  # env_key of the provider: the gateway's placeholder
RESULT_CAP = 4000


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


class CodexAgent(InstalledAgent):
    """Runs ``codex exec --json … -m MODEL PROMPT``."""

    name = "codex"
    default_model = "gpt-5-codex"
    memory_file = ".codex/AGENTS.md"

    def configure(self, ctx: RunContext) -> None:
        config = "\n".join(
            [
                f"model = {_toml(ctx.model)}",
                'model_provider = "zebench"',
                'approval_policy = "never"',
                'sandbox_mode = "danger-full-access"',
                "check_for_update_on_startup = false",
                "",
                "[model_providers.zebench]",
                'name = "zebench model gateway"',
                f"base_url = {_toml(ctx.access.url('/v1'))}",
                f"env_key = {_toml(KEY_VARIABLE)}",
                'wire_api = "responses"',
                "",
                "[analytics]",
                "enabled = false",
                "",
            ]
        )
        ctx.write(".codex/config.toml", config)

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {"CODEX_HOME": ctx.inside(".codex"), KEY_VARIABLE: ctx.access.api_key}

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        return [ctx.installation.binary, "exec", "--json", "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox", "-m", ctx.model, prompt]  # fmt: skip

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed()
        usage = TokenUsage()
        reasoning = 0
        for event in output.lines():
            kind = event.get("type")
            if kind == "item.completed":
                self._item(ctx, as_dict(event.get("item")), parsed)
            elif kind == "turn.completed":
                raw = as_dict(event.get("usage"))
                cached = _int(raw.get("cached_input_tokens"))
                # Codex's input_tokens include the cached ones; zebench counts them apart.
                usage = usage + TokenUsage(
                    input=_int(raw.get("input_tokens")) - cached,
                    output=_int(raw.get("output_tokens")),
                    cache_read=cached,
                )
                reasoning += _int(raw.get("reasoning_output_tokens"))
                parsed.turns += 1
            elif kind in ("turn.failed", "error"):
                message = as_dict(event.get("error")).get("message") or event.get("message") or kind
                parsed.status, parsed.reason = "failed", f"codex: {message}"[:500]
            elif kind == "thread.started" and event.get("thread_id"):
                parsed.metadata["codex_thread_id"] = event["thread_id"]
        parsed.usage = usage
        if reasoning:
            parsed.metadata["reasoning_tokens"] = reasoning
        return parsed

    def _item(self, ctx: RunContext, item: dict[str, Any], parsed: Parsed) -> None:
        trajectory = ctx.task.trajectory
        kind = item.get("type") or item.get("item_type")
        if kind == "agent_message" and isinstance(item.get("text"), str):
            parsed.final_message = item["text"]
            trajectory.message("assistant", item["text"], source="codex")
        elif kind == "reasoning" and isinstance(item.get("text"), str):
            trajectory.add(
                TrajectoryStep(
                    type="message",
                    role="assistant",
                    content=item["text"],
                    meta={"source": "codex", "thinking": True},
                )
            )
        elif kind == "command_execution":
            text = str(item.get("aggregated_output") or "")
            step = TrajectoryStep(type="tool_call", name="shell", arguments={"command": item.get("command")},
                                  result=text[:RESULT_CAP], result_size=len(text), meta={"source": "codex"})  # fmt: skip
            if item.get("exit_code") not in (0, None) or item.get("status") == "failed":
                step.error = f"exit code {item.get('exit_code')}"
            trajectory.add(step)
        elif kind == "file_change":
            changes = [c for c in item.get("changes") or [] if isinstance(c, dict)]
            trajectory.add(TrajectoryStep(type="tool_call", name="apply_patch", arguments={"changes": changes},
                                          result=str(item.get("status") or ""), meta={"source": "codex"}))  # fmt: skip
        elif kind in ("mcp_tool_call", "web_search", "todo_list"):
            trajectory.add(TrajectoryStep(type="tool_call", name=str(item.get("tool") or kind),
                                          arguments={k: v for k, v in item.items() if k not in ("id", "type")},
                                          meta={"source": "codex"}))  # fmt: skip
        elif kind == "error":
            trajectory.note(f"codex error: {item.get('message')}", source="codex")


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) and value >= 0 else 0
