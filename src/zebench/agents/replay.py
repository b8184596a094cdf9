"""The replay agent: re-run a recorded LLM conversation offline, executing its tool calls for real."""

from __future__ import annotations

from typing import ClassVar

from zebench.agents.base import AgentOptions, AgentResult, AgentTask
from zebench.agents.tool_loop import ToolLoopAgent
from zebench.errors import AgentConfigError
from zebench.llm.recording import Recording, RecordingClient, ReplayClient
from zebench.llm.types import LLMClient, RetryCallback


class ReplayAgent(ToolLoopAgent):
    """Feeds the responses recorded with ``--record`` back in order, with no network.

    The recorded tool calls run against the new workspace through the toolbox, so the files change
    again. A run that asks for more calls, fewer calls or different tools than were recorded fails
    with ``replay diverged: …``; a missing or corrupt recording fails at construction.
    """

    name: ClassVar[str] = "replay"

    def __init__(self, options: AgentOptions) -> None:
        super().__init__(options)
        if options.replay_dir is None:
            raise AgentConfigError("the replay agent needs a recording", hint="pass --replay DIR")
        self.recording = Recording.load(options.replay_dir)

    def resolve_model(self, task: AgentTask) -> str:
        return self.recording.meta.model

    def create_client(self, task: AgentTask, model: str, on_retry: RetryCallback) -> LLMClient:
        return ReplayClient(self.recording)  # fresh per run: every replay starts at call 1

    def after_run(self, result: AgentResult, client: LLMClient) -> AgentResult:
        total = len(self.recording.exchanges)
        inner = client.inner if isinstance(client, RecordingClient) else client
        served = inner.calls_served if isinstance(inner, ReplayClient) else 0
        metadata = {
            **result.metadata,
            "replayed_from": str(self.recording.directory),
            "recorded_calls": total,
        }
        if result.status == "completed" and served != total:
            return result.model_copy(
                update={
                    "status": "failed",
                    "reason": f"replay diverged: the run ended after {served} of {total} recorded calls",
                    "metadata": metadata,
                }
            )
        return result.model_copy(update={"metadata": metadata})
