"""The pieces of one tool-loop run that need no agent: its conversation, what each model call leaves
in the trajectory, and what the run reports in its result's metadata."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zebench.agents.base import AgentTask
from zebench.agents.context import ContextTrimmer
from zebench.agents.run_state import RunState
from zebench.llm.redact import redact_data
from zebench.llm.types import (
    LLMClient,
    LLMMessage,
    LLMRequest,
    LLMResponse,
    TextBlock,
    ToolDefinition,
    ToolResultBlock,
    ToolUseBlock,
)
from zebench.results.trajectory import TrajectoryStep


class Limiter(Protocol):
    """What the loop needs of a batch's limiter (``zebench.runner.limiter.ProviderLimiters``)."""

    def slot(self, provider: str) -> AbstractContextManager[Any]: ...

    def on_retry(self, provider: str, event: Any) -> None: ...


def find_limiter(options_extra: dict[str, Any], task_extra: dict[str, Any]) -> Limiter | None:
    """The batch's limiter, from the agent's options or the task, if either carries one."""
    found = options_extra.get("limiter") or task_extra.get("limiter")
    return found if callable(getattr(found, "slot", None)) else None


@dataclass
class Conversation:
    """One run's conversation with the model: its client, the requests' fixed parts, the messages so far."""

    client: LLMClient
    model: str
    system: str
    tools: list[ToolDefinition]
    messages: list[LLMMessage]
    trimmer: ContextTrimmer | None
    limiter: Limiter | None
    secrets: list[str]  # values redacted from everything stored
    recording_dir: Path | None


def record_llm_call(
    task: AgentTask,
    request: LLMRequest,
    response: LLMResponse,
    started_at: float,
    turn: int,
    secrets: list[str],
) -> None:
    """One model call as a trajectory step: the request's shape, the reply, its usage and cost."""
    content = {
        "request": {
            "model": request.model,
            "messages": len(request.messages),
            "tools": [t.name for t in request.tools],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "prompt_cache": request.prompt_cache,
        },
        "response": {
            "model": response.model,
            "text": response.text,
            "tool_calls": [c.model_dump(exclude_none=True) for c in response.tool_calls],
            "stop_reason": response.stop_reason,
        },
    }
    task.trajectory.add(
        TrajectoryStep(
            type="llm_call",
            at=started_at,
            content=redact_data(content, secrets),
            duration_ms=response.duration_ms,
            usage=response.usage.model_dump(),
            meta={
                "turn": turn,
                "finished_at": time.time(),
                "cost_usd": response.cost_usd,
                "cost_kind": response.cost_kind,
            },
        )
    )


def trim_context(
    task: AgentTask, state: RunState, trimmer: ContextTrimmer, messages: list[LLMMessage]
) -> None:
    """Trim the conversation when it is over its budget, and say so in the trajectory."""
    trim = trimmer.trim(messages)
    if trim is not None:
        state.trims += 1
        state.trimmed_tokens += trim.tokens_trimmed
        task.trajectory.note(trim.summary(), kind="context_trim", **trim.meta())


def result_metadata(
    client: LLMClient, state: RunState, trimmer: ContextTrimmer | None, recording_dir: Path | None
) -> dict[str, Any]:
    """The result's metadata: provider, calls, retries, stop reason, context trims, recording."""
    metadata: dict[str, Any] = {
        "provider": client.provider,
        "llm_calls": state.turns,
        "retries": state.retries,
    }
    if state.stop_reason:
        metadata["stop_reason"] = state.stop_reason
    if trimmer is not None:
        metadata["context"] = {
            "budget": trimmer.budget,
            "trims": state.trims,
            "tokens_trimmed": state.trimmed_tokens,
        }
    if recording_dir is not None:
        metadata["recording_dir"] = str(recording_dir)
    return metadata


def assistant_blocks(response: LLMResponse) -> list[TextBlock | ToolUseBlock | ToolResultBlock]:
    """The model's reply as the conversation's next assistant message: its text, then its tool calls."""
    blocks: list[TextBlock | ToolUseBlock | ToolResultBlock] = []
    if response.text:
        blocks.append(TextBlock(text=response.text))
    blocks.extend(response.tool_calls)
    return blocks
