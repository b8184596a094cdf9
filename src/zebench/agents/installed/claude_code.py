"""``claude-code``: Anthropic's Claude Code CLI, headless, inside the agent sandbox.

Its ``stream-json`` output becomes the trajectory (``zebench.agents.claude_code_events``). The
specialist's prompt goes to ``~/.claude/CLAUDE.md``, the user-level memory the CLI always reads.
"""

from __future__ import annotations

import os
from typing import Any

from zebench.agents.claude_code_events import StreamJsonParser
from zebench.agents.installed.base import AgentOutput, InstalledAgent, Parsed, RunContext

# The CLI refuses --dangerously-skip-permissions as root, so a root run without the sandbox (where
# the CLI runs as the harness's user) pre-approves these tools instead. Inside bubblewrap it is uid
# 65534. Checked against the tool list of 2.1.332's init event.
ROOT_ALLOWED_TOOLS = ("Bash", "Edit", "Write", "Read", "Glob", "Grep", "NotebookEdit")


class ClaudeCodeAgent(InstalledAgent):
    """Runs ``claude -p``. ``options.extra`` may hold ``allowed_tools`` (root without the sandbox)
    and ``claude_args`` (extra arguments appended as given)."""

    name = "claude-code"
    default_model = "claude-sonnet-4-6"
    memory_file = ".claude/CLAUDE.md"

    def environment(self, ctx: RunContext) -> dict[str, str]:
        return {
            "ANTHROPIC_BASE_URL": ctx.access.url(),
            "ANTHROPIC_API_KEY": ctx.access.api_key,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_AUTOUPDATER": "1",
            "DISABLE_ERROR_REPORTING": "1",
        }

    def command(self, ctx: RunContext, prompt: str, *, is_root: bool | None = None) -> list[str]:
        argv = [ctx.installation.binary, "-p", prompt, "--output-format", "stream-json", "--verbose"]
        argv += ["--model", ctx.model, "--max-turns", str(self.options.max_turns)]
        if self.options.max_cost_usd is not None:
            argv += ["--max-budget-usd", f"{self.options.max_cost_usd:g}"]
        if is_root is None:
            is_root = not ctx.sandboxed and os.geteuid() == 0
        if is_root:
            tools = self.options.extra.get("allowed_tools") or ROOT_ALLOWED_TOOLS
            if isinstance(tools, str):
                tools = tools.split()
            argv += ["--permission-mode", "acceptEdits", "--allowedTools", " ".join(tools)]
        else:
            argv.append("--dangerously-skip-permissions")
        argv += [str(arg) for arg in self.options.extra.get("claude_args") or []]
        return argv

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        parser = StreamJsonParser(ctx.task.trajectory)
        for line in output.stdout.splitlines():
            parser.feed(line)
        final = parser.result or {}
        parsed = Parsed(
            final_message=str(final.get("result") or ""),
            usage=parser.usage,
            cost_usd=parser.cost_usd,
            turns=int(final.get("num_turns") or 0),
            llm_calls=len(parser.message_ids),
        )
        parsed.metadata.update(
            {
                key: final[key]
                for key in ("subtype", "session_id", "terminal_reason", "duration_api_ms", "api_error_status")
                if final.get(key) is not None
            }
        )
        if parser.init.get("claude_code_version"):
            parsed.metadata["claude_code_version"] = parser.init["claude_code_version"]
        if final.get("permission_denials"):
            parsed.metadata["permission_denials"] = len(final["permission_denials"])
        if parser.result is not None:
            self._classify(parsed, final)
        return parsed

    def _classify(self, parsed: Parsed, final: dict[str, Any]) -> None:
        subtype = str(final.get("subtype") or "")
        if subtype == "error_max_turns":
            parsed.status, parsed.reason = (
                "budget_exceeded",
                f"budget exceeded: max_turns={self.options.max_turns}",
            )
        elif subtype.startswith("error_max_budget"):
            parsed.status = "budget_exceeded"
            parsed.reason = f"budget exceeded: max_cost_usd={self.options.max_cost_usd}"
        elif final.get("api_error_status") is not None or final.get("terminal_reason") == "api_error":
            # The provider failed after the CLI's own retries: infrastructure, not the agent.
            parsed.status, parsed.reason = "infra_error", (parsed.final_message or "API error")[:500]
        elif final.get("is_error") or subtype.startswith("error"):
            errors = final.get("errors")
            detail = (
                "; ".join(map(str, errors)) if isinstance(errors, list) and errors else parsed.final_message
            )
            parsed.status, parsed.reason = "failed", f"{subtype or 'error'}: {detail}"[:500]
        else:
            parsed.status = "completed"
