"""Context management for the tool loop: old tool outputs trimmed once the context passes a budget.

A long run's context grows with every tool output, and every request re-sends all of it. Beyond
``AgentOptions.context_budget`` tokens, the oldest tool outputs are replaced by a one-line
placeholder, so the conversation keeps its shape: every ``tool_use`` keeps its ``tool_result``
(Anthropic) and every ``tool_calls`` entry its ``tool`` message (OpenAI), only the output text is
shorter. Trimming changes the prompt from the first trimmed output on, which a provider's prompt
cache then has to write again, so it is placed to break the cache as rarely as it can:

- it starts only when the context is over the budget, and then frees room down to half of it
  (``LOW_WATER``), so the cached prefix breaks once per half-budget of growth, not on every turn;
- it takes the oldest outputs first, so everything before them (system prompt, tools, the task,
  outputs trimmed earlier, whose placeholders never change again) stays cached;
- it leaves the newest ``KEEP_RECENT`` outputs and any output under ``MIN_TRIM_TOKENS`` alone:
  the model is likely still using the first, and the second would break the cache for nothing.

Tokens are estimated at about four characters a token (``ceil(chars / 4)``), the same
approximation the fake LLM counts with; real tokenizers differ a little, so the budget is a target,
not a hard ceiling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from zebench.llm.types import LLMMessage, TextBlock, ToolDefinition, ToolResultBlock, ToolUseBlock

KEEP_RECENT = 3
MIN_TRIM_TOKENS = 100
LOW_WATER = 0.5
PLACEHOLDER = (
    "[zebench trimmed this old tool output ({tokens} tokens) to keep the context within its budget; "
    "run the tool again if you need it]"
)


def estimate_tokens(text: str) -> int:
    """About four characters a token, rounded up."""
    return -(-len(text) // 4)


def message_tokens(message: LLMMessage) -> int:
    """The estimated tokens of one message."""
    if isinstance(message.content, str):
        return estimate_tokens(message.content)
    return sum(_block_tokens(block) for block in message.content)


def _block_tokens(block: TextBlock | ToolUseBlock | ToolResultBlock) -> int:
    if isinstance(block, TextBlock):
        return estimate_tokens(block.text)
    if isinstance(block, ToolUseBlock):
        return estimate_tokens(block.name + json.dumps(block.input, ensure_ascii=False))
    return estimate_tokens(block.content)


def fixed_tokens(system: str | None, tools: list[ToolDefinition]) -> int:
    """The estimated tokens of what every request carries besides the messages."""
    specs = json.dumps([t.model_dump() for t in tools], ensure_ascii=False)
    return estimate_tokens(system or "") + estimate_tokens(specs)


@dataclass(frozen=True)
class TrimmedOutput:
    """One tool output that was trimmed."""

    tool_use_id: str
    tool: str
    tokens: int  # the estimated tokens of the output that was taken out


@dataclass(frozen=True)
class Trim:
    """What one trim did, as the trajectory records it."""

    budget: int
    tokens_before: int
    tokens_after: int
    outputs: list[TrimmedOutput]

    @property
    def tokens_trimmed(self) -> int:
        return self.tokens_before - self.tokens_after

    def summary(self) -> str:
        return (
            f"context over its budget ({self.tokens_before:,} > {self.budget:,} tokens): trimmed "
            f"{len(self.outputs)} old tool output(s), {self.tokens_trimmed:,} tokens, "
            f"to {self.tokens_after:,}"
        )

    def meta(self) -> dict[str, Any]:
        """The trajectory note's fields."""
        return {
            "budget": self.budget,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "tokens_trimmed": self.tokens_trimmed,
            "trimmed": [
                {"tool_use_id": o.tool_use_id, "tool": o.tool, "tokens": o.tokens} for o in self.outputs
            ],
        }


@dataclass
class ContextTrimmer:
    """Trims one run's conversation; remembers what it trimmed, so placeholders never change."""

    budget: int
    fixed: int = 0  # tokens of the system prompt and tool definitions
    trimmed_ids: set[str] = field(default_factory=set)

    def trim(self, messages: list[LLMMessage]) -> Trim | None:
        """Trim ``messages`` in place when over the budget; the Trim done, or None."""
        total = self.fixed + sum(message_tokens(m) for m in messages)
        if total <= self.budget:
            return None
        target = int(self.budget * LOW_WATER)
        names = {
            block.id: block.name
            for m in messages
            if m.role == "assistant" and not isinstance(m.content, str)
            for block in m.content
            if isinstance(block, ToolUseBlock)
        }
        protected = self._newest_ids(messages)
        before, outputs = total, []
        for index, message in enumerate(messages):
            if total <= target:
                break
            if message.role != "user" or isinstance(message.content, str):
                continue
            blocks = list(message.content)
            changed = False
            for position, block in enumerate(blocks):
                if total <= target:
                    break
                if not isinstance(block, ToolResultBlock) or not self._trimmable(block, protected):
                    continue
                changed = True
                size = estimate_tokens(block.content)
                placeholder = PLACEHOLDER.format(tokens=size)
                blocks[position] = block.model_copy(update={"content": placeholder})
                total -= size - estimate_tokens(placeholder)
                self.trimmed_ids.add(block.tool_use_id)
                outputs.append(TrimmedOutput(block.tool_use_id, names.get(block.tool_use_id, "?"), size))
            if changed:
                messages[index] = LLMMessage(role=message.role, content=blocks)
        if not outputs:
            return None
        return Trim(budget=self.budget, tokens_before=before, tokens_after=total, outputs=outputs)

    def _trimmable(self, block: ToolResultBlock, protected: set[str]) -> bool:
        return (
            block.tool_use_id not in self.trimmed_ids
            and block.tool_use_id not in protected
            and estimate_tokens(block.content) >= MIN_TRIM_TOKENS
        )

    @staticmethod
    def _newest_ids(messages: list[LLMMessage]) -> set[str]:
        ids = [
            block.tool_use_id
            for m in messages
            if not isinstance(m.content, str)
            for block in m.content
            if isinstance(block, ToolResultBlock)
        ]
        return set(ids[-KEEP_RECENT:]) if KEEP_RECENT else set()
