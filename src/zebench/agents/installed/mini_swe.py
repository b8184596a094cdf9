"""``mini-swe-agent``: the SWE-agent team's minimal bash-only agent, inside the agent sandbox.

It calls Chat Completions through litellm with one ``bash`` tool, not streamed, and writes its
trajectory (``-o``) with every raw response, so each call's usage is the server's. The
specialist's prompt goes into its own config: a file in the private HOME, loaded after the
built-in ``mini.yaml``, that puts the prompt ahead of the built-in system template.
"""

from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import Any

import yaml

from zebench.agents.installed import homefiles
from zebench.agents.installed.base import (
    MAX_OUTPUT_BYTES,
    AgentOutput,
    InstalledAgent,
    Parsed,
    RunContext,
    as_dict,
)
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep

TRAJECTORY = ".zebench/mini/traj.json"
SPECIALIST_CONFIG = ".zebench/mini/specialist.yaml"
RESULT_CAP = 4000
LITELLM_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "MSWEA_COST_TRACKING": "ignore_errors"}


class MiniSweAgent(InstalledAgent):
    """Runs ``mini --yolo --exit-immediately -m openai/MODEL -t PROMPT -o traj.json``."""

    name = "mini-swe-agent"
    default_model = "gpt-4.1"

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {"OPENAI_API_KEY": ctx.access.api_key, "MSWEA_CONFIGURED": "true", **LITELLM_ENV}

    def specialist(self, ctx: RunContext) -> str | None:
        if not ctx.task.system_prompt:
            return None
        builtin = _builtin_system_template(ctx.installation.read_only)
        template = ctx.task.system_prompt + ("\n\n" + builtin if builtin else "")
        ctx.write(SPECIALIST_CONFIG, yaml.safe_dump({"agent": {"system_template": template}}))
        return "agent.system_template (~/" + SPECIALIST_CONFIG + ")"

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        argv = [
            ctx.installation.binary,
            "--yolo",
            "--exit-immediately",
            "-m",
            f"openai/{ctx.model}",
            "-c",
            "mini.yaml",
        ]
        if ctx.task.system_prompt:
            argv += ["-c", ctx.inside(SPECIALIST_CONFIG)]
        argv += [
            "-c", f"model.model_kwargs.api_base={ctx.access.url('/v1')}",
            "-c", f"agent.step_limit={self.options.max_turns}",
            "-t", prompt, "-o", ctx.inside(TRAJECTORY),
        ]  # fmt: skip
        return argv

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed()
        raw = homefiles.read_optional(ctx.home, TRAJECTORY, max_bytes=MAX_OUTPUT_BYTES)
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        info = as_dict(data.get("info"))
        stats = as_dict(info.get("model_stats"))
        messages = [m for m in data.get("messages") or [] if isinstance(m, dict)]
        parsed.usage, parsed.final_message = _messages_into(ctx, messages)
        calls = stats.get("api_calls")
        parsed.llm_calls = int(calls) if isinstance(calls, int) else None
        parsed.turns = parsed.llm_calls or 0
        exit_status = str(info.get("exit_status") or "")
        parsed.metadata["exit_status"] = exit_status
        if exit_status == "LimitsExceeded":
            parsed.status, parsed.reason = (
                "budget_exceeded",
                f"budget exceeded: max_turns={self.options.max_turns}",
            )
        elif exit_status and exit_status != "Submitted":
            parsed.status, parsed.reason = "failed", f"mini-swe-agent stopped: {exit_status}"
        elif exit_status == "Submitted":
            parsed.status = "completed"
        return parsed


def _messages_into(ctx: RunContext, messages: list[dict[str, Any]]) -> tuple[TokenUsage, str]:
    """Add the assistant's replies and bash calls to the trajectory; sum the servers' usage."""
    trajectory = ctx.task.trajectory
    usage = TokenUsage()
    final = ""
    open_calls: dict[str, TrajectoryStep] = {}
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            usage = usage + _usage(message)
            if isinstance(message.get("content"), str) and message["content"].strip():
                final = message["content"]
                trajectory.message("assistant", final, source="mini-swe-agent")
            for call in message.get("tool_calls") or []:
                function = call.get("function") if isinstance(call, dict) else None
                if not isinstance(function, dict):
                    continue
                try:
                    arguments = json.loads(function.get("arguments") or "{}")
                except (TypeError, json.JSONDecodeError):
                    arguments = {"raw": str(function.get("arguments"))}
                step = trajectory.add(
                    TrajectoryStep(
                        type="tool_call",
                        name=str(function.get("name") or "bash"),
                        arguments=arguments if isinstance(arguments, dict) else {"value": arguments},
                        meta={"source": "mini-swe-agent", "call_id": call.get("id")},
                    )
                )
                open_calls[str(call.get("id"))] = step
        elif role == "tool":
            opened = open_calls.pop(str(message.get("tool_call_id")), None)
            if opened is not None:
                content = message.get("content")
                text = content if isinstance(content, str) else json.dumps(content)
                opened.result, opened.result_size = text[:RESULT_CAP], len(text)
    return usage, final


def _usage(message: dict[str, Any]) -> TokenUsage:
    extra = as_dict(message.get("extra"))
    response = as_dict(extra.get("response"))
    raw = as_dict(response.get("usage"))
    details = as_dict(raw.get("prompt_tokens_details"))

    def number(source: dict[str, Any], key: str) -> int:
        value = source.get(key)
        return int(value) if isinstance(value, int) and value >= 0 else 0

    cached = number(details, "cached_tokens")
    # OpenAI's prompt_tokens include the cached ones; zebench counts them apart.
    return TokenUsage(
        input=number(raw, "prompt_tokens") - cached,
        output=number(raw, "completion_tokens"),
        cache_read=cached,
    )


def _builtin_system_template(folders: tuple[str, ...]) -> str:
    """The installed mini.yaml's system template (our own cache, not agent-written)."""
    for folder in folders:
        for path in glob.glob(str(Path(folder) / "lib/python3*/site-packages/minisweagent/config/mini.yaml")):
            try:
                config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
                return str(config["agent"]["system_template"])
            except (OSError, KeyError, TypeError, yaml.YAMLError):
                continue
    return ""
