"""``qwen-code``: Qwen Code, on OpenAI Chat Completions, inside the agent sandbox.

Its ``-o stream-json`` output follows Claude Code's (``system``/``assistant``/``user``/``result``),
so the same parser reads it. Its totals include a side request (memory extraction). The
specialist's prompt goes to ``~/.qwen/QWEN.md``, its global context file.
"""

from __future__ import annotations

from zebench.agents.claude_code_events import StreamJsonParser
from zebench.agents.installed.base import AgentOutput, InstalledAgent, Parsed, RunContext


class QwenAgent(InstalledAgent):
    """Runs ``qwen --yolo --auth-type openai -o stream-json PROMPT``."""

    name = "qwen-code"
    default_model = "qwen3-coder-plus"
    memory_file = ".qwen/QWEN.md"

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": ctx.access.url("/v1"),
            "OPENAI_API_KEY": ctx.access.api_key,
            "OPENAI_MODEL": ctx.model,
        }

    def configure(self, ctx: RunContext) -> None:
        # No usage statistics or update checks leave the sandbox (they could not anyway).
        ctx.write(
            ".qwen/settings.json",
            '{"privacy": {"usageStatisticsEnabled": false}, "general": {"disableAutoUpdate": true}}\n',
        )

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        return [ctx.installation.binary, "--yolo", "--auth-type", "openai", "-m", ctx.model, "-o", "stream-json",
                "--max-session-turns", str(self.options.max_turns), prompt]  # fmt: skip

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parser = StreamJsonParser(ctx.task.trajectory, source="qwen-code")
        for line in output.stdout.splitlines():
            parser.feed(line)
        final = parser.result or {}
        parsed = Parsed(
            final_message=str(final.get("result") or ""),
            usage=parser.usage,
            turns=int(final.get("num_turns") or 0),
            llm_calls=len(parser.message_ids),
        )
        if parser.init.get("qwen_code_version"):
            parsed.metadata["qwen_code_version"] = parser.init["qwen_code_version"]
        if parser.result is not None and (
            final.get("is_error") or str(final.get("subtype", "")).startswith("error")
        ):
            parsed.status = "failed"
            parsed.reason = f"{final.get('subtype') or 'error'}: {parsed.final_message}"[:500]
        elif parser.result is not None:
            parsed.status = "completed"
        return parsed
