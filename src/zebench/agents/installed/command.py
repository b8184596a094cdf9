"""``command``: a user's own agent, given the same sandbox, model gateway and telemetry as the CLIs.

``--agent-command`` (``options.extra["command"]``) is a template; ``{prompt_file}``,
``{model}``, ``{base_url}``, ``{workspace}`` and ``{system_prompt_file}`` are filled in (shell
quoted) and the result runs with ``sh -c`` in the workspace. The environment also carries
``ZEBENCH_PROMPT_FILE``, ``ZEBENCH_MODEL``, ``ZEBENCH_BASE_URL`` (its server's root),
``OPENAI_BASE_URL``/``OPENAI_API_KEY``/``ANTHROPIC_BASE_URL``/``ANTHROPIC_API_KEY`` (placeholder
keys: the gateway holds the real ones) and ``ZEBENCH_EVENTS``: a file where the agent may write
one JSON object a line (``{"type": "tool_call", "name", "arguments", "result"}``, ``{"type":
"message", "role", "content"}``, ``{"type": "usage", "input", "output"}``) for the trajectory.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, cast

from zebench.agents.installed import homefiles
from zebench.agents.installed.base import MAX_OUTPUT_BYTES, AgentOutput, InstalledAgent, Parsed, RunContext
from zebench.agents.installed.endpoint import PROVIDERS
from zebench.agents.installed.install import Installation
from zebench.errors import AgentConfigError
from zebench.results.model_calls import Wire
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep
from zebench.sandbox.bwrap import shown_anyway

EVENTS = ".zebench/events.jsonl"
PLACEHOLDERS = ("prompt_file", "model", "base_url", "workspace", "system_prompt_file")


class CommandAgent(InstalledAgent):
    """Runs the user's command template. Registered as ``command``."""

    name = "command"
    default_model = "fake-model"

    @property
    def wire_api(self) -> Wire:
        """The wire API the user's agent speaks: ``options.extra["wire"]``, else Chat Completions."""
        wire = self.options.extra.get("wire") or "openai-chat"
        if wire not in PROVIDERS:
            raise AgentConfigError(
                f"unknown wire API {wire!r}", field="--agent-wire", hint=f"one of {', '.join(PROVIDERS)}"
            )
        return cast(Wire, wire)

    def check(self) -> None:
        self.template()  # a missing or broken template fails before anything starts
        super().check()

    def template(self) -> str:
        template = self.options.extra.get("command") or self.environ.get("ZEBENCH_AGENT_COMMAND")
        if not isinstance(template, str) or not template.strip():
            raise AgentConfigError(
                "the command agent needs a command template",
                field="--agent-command",
                hint="e.g. --agent-command 'python3 /path/agent.py {prompt_file} {model} {base_url}'",
            )
        try:
            template.format(**dict.fromkeys(PLACEHOLDERS, ""))
        except (KeyError, IndexError, ValueError) as exc:
            raise AgentConfigError(
                f"the command template has an unknown or broken placeholder: {exc}",
                field="--agent-command",
                hint=f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
            ) from None
        return template

    def installation(self) -> Installation:
        """``sh``; the sandbox shows, read-only, every host file or folder the template names by
        absolute path (the user's script) and ``options.extra["read_only"]``."""
        template = self.template()
        try:
            words = shlex.split(template.format(**dict.fromkeys(PLACEHOLDERS, "x")))
        except ValueError:
            words = []
        named = [w for w in words if w.startswith("/") and os.path.exists(w) and not shown_anyway(w)]
        extra = [str(path) for path in self.options.extra.get("read_only") or ()]
        return Installation("/bin/sh", tuple(dict.fromkeys([*named, *extra])), "user")

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {
            "ZEBENCH_PROMPT_FILE": ctx.inside(".zebench/prompt.md"),
            "ZEBENCH_MODEL": ctx.model,
            "ZEBENCH_BASE_URL": ctx.access.url(),
            "ZEBENCH_EVENTS": ctx.inside(EVENTS),
            "OPENAI_BASE_URL": ctx.access.url("/v1"),
            "OPENAI_API_KEY": ctx.access.api_key,
            "ANTHROPIC_BASE_URL": ctx.access.url(),
            "ANTHROPIC_API_KEY": ctx.access.api_key,
        }

    def specialist(self, ctx: RunContext) -> str | None:
        if not ctx.task.system_prompt:
            return None
        ctx.write(".zebench/system_prompt.md", ctx.task.system_prompt)
        return "{system_prompt_file} (~/.zebench/system_prompt.md)"

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        values = {
            "prompt_file": ctx.write(".zebench/prompt.md", prompt),
            "model": ctx.model,
            "base_url": ctx.access.url(),
            "workspace": str(ctx.task.workspace),
            "system_prompt_file": ctx.inside(".zebench/system_prompt.md"),
        }
        filled = self.template().format(**{key: shlex.quote(value) for key, value in values.items()})
        return ["/bin/sh", "-c", filled]

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed(final_message=output.stdout.strip()[-4000:])
        text = homefiles.read_optional(ctx.home, EVENTS, max_bytes=MAX_OUTPUT_BYTES) or ""
        usage = TokenUsage()
        for event in _events(text):
            kind = event.get("type")
            if kind == "tool_call" and isinstance(event.get("name"), str):
                ctx.task.trajectory.add(
                    TrajectoryStep(
                        type="tool_call",
                        name=event["name"],
                        arguments=event["arguments"] if isinstance(event.get("arguments"), dict) else {},
                        result=str(event.get("result", ""))[:4000]
                        if event.get("result") is not None
                        else None,
                        meta={"source": "command"},
                    )
                )
            elif kind == "message" and isinstance(event.get("content"), str):
                ctx.task.trajectory.message(
                    str(event.get("role") or "assistant"), event["content"], source="command"
                )
            elif kind == "usage":
                usage = usage + TokenUsage(input=_int(event, "input"), output=_int(event, "output"))
                parsed.turns += 1
        parsed.usage = usage
        if parsed.final_message:
            ctx.task.trajectory.message("assistant", parsed.final_message, source="command")
        return parsed


def _events(text: str) -> list[dict[str, Any]]:
    from zebench.agents.installed.base import json_lines

    return json_lines(text)


def _int(event: dict[str, Any], key: str) -> int:
    value = event.get(key)
    return int(value) if isinstance(value, int) and value >= 0 else 0
