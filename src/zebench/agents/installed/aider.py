"""``aider``: Aider, on OpenAI Chat Completions through litellm, inside the agent sandbox.

``--no-stream``, so the token counts are the server's, not local estimates. Aider edits through
text blocks in its replies (no tool calls): its chat history file is turned into the trajectory,
each "Applied edit to FILE" as an ``edit`` step. Its usage comes from ``--analytics-log``
(``message_send`` events). History, input history and analytics live in the private HOME, never in
the workspace; the specialist's prompt is a conventions file passed with ``--read``.
"""

from __future__ import annotations

import re

from zebench.agents.installed import homefiles
from zebench.agents.installed.base import (
    MAX_OUTPUT_BYTES,
    AgentOutput,
    InstalledAgent,
    Parsed,
    RunContext,
    as_dict,
    json_lines,
)
from zebench.results.models import TokenUsage
from zebench.results.trajectory import TrajectoryStep

STATE = ".zebench/aider"
_APPLIED = re.compile(r"^Applied edit to (.+?)\s*$")
_RUNNING = re.compile(r"^Running (.+?)\s*$")


class AiderAgent(InstalledAgent):
    """Runs ``aider --message PROMPT --yes-always --no-stream`` against the gateway."""

    name = "aider"
    default_model = "gpt-4.1"

    def environment(self, ctx: RunContext) -> dict[str, str]:
        # litellm would fetch its price list from GitHub first (refused in the sandbox, slowly).
        return {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}

    def specialist(self, ctx: RunContext) -> str | None:
        if not ctx.task.system_prompt:
            return None
        ctx.write("CONVENTIONS.md", ctx.task.system_prompt)
        return "--read ~/CONVENTIONS.md"

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        argv = [
            ctx.installation.binary,
            "--model", f"openai/{ctx.model}",
            "--openai-api-base", ctx.access.url("/v1"),
            "--openai-api-key", ctx.access.api_key,
            "--message", prompt,
            "--yes-always", "--no-stream", "--no-pretty", "--no-fancy-input",
            "--no-check-update", "--no-show-model-warnings", "--no-show-release-notes",
            # Everything aider would leave in the repository goes to the private HOME instead.
            "--no-gitignore", "--no-auto-commits", "--no-dirty-commits",
            "--chat-history-file", ctx.inside(f"{STATE}/chat.md"),
            "--input-history-file", ctx.inside(f"{STATE}/input.history"),
            "--analytics-log", ctx.inside(f"{STATE}/analytics.jsonl"),
        ]  # fmt: skip
        if ctx.task.system_prompt:
            argv += ["--read", ctx.inside("CONVENTIONS.md")]
        return argv

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parsed = Parsed()
        analytics = (
            homefiles.read_optional(ctx.home, f"{STATE}/analytics.jsonl", max_bytes=MAX_OUTPUT_BYTES) or ""
        )
        usage, cost, calls = TokenUsage(), 0.0, 0
        for event in json_lines(analytics):
            props = as_dict(event.get("properties"))
            if event.get("event") == "message_send":
                calls += 1
                usage = usage + TokenUsage(
                    input=_int(props.get("prompt_tokens")), output=_int(props.get("completion_tokens"))
                )
                if isinstance(props.get("cost"), int | float):
                    cost += float(props["cost"])
        parsed.usage, parsed.llm_calls, parsed.turns = usage, calls, calls
        parsed.cost_usd = cost or None  # aider prices an unknown model at 0: unknown, not free
        history = homefiles.read_optional(ctx.home, f"{STATE}/chat.md", max_bytes=MAX_OUTPUT_BYTES) or ""
        parsed.final_message = _history_into(ctx, history)
        return parsed


def _history_into(ctx: RunContext, history: str) -> str:
    """Add the chat history's replies and applied edits to the trajectory; return the last reply."""
    trajectory = ctx.task.trajectory
    reply: list[str] = []
    last = ""

    def flush() -> None:
        nonlocal last
        text = "\n".join(reply).strip()
        reply.clear()
        if text:
            trajectory.message("assistant", text, source="aider")
            last = text

    in_user = False  # a user message's lines after its "#### " one, up to a blank line
    for line in history.splitlines():
        if line.startswith("#### ") or line.startswith("# aider chat started"):
            flush()
            in_user = line.startswith("#### ")
        elif in_user:
            in_user = bool(line.strip())
        elif line.startswith(">"):
            flush()
            note = line.lstrip("> ").rstrip()
            applied, running = _APPLIED.match(note), _RUNNING.match(note)
            if applied:
                trajectory.add(TrajectoryStep(type="tool_call", name="edit", arguments={"path": applied.group(1)},
                                              result=note, meta={"source": "aider"}))  # fmt: skip
            elif running:
                trajectory.add(TrajectoryStep(type="tool_call", name="run", arguments={"command": running.group(1)},
                                              meta={"source": "aider"}))  # fmt: skip
        else:
            reply.append(line)
    flush()
    return last


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) and value >= 0 else 0
