"""The trajectory: an append-only, thread-safe log of everything the agent did."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StepType = Literal["message", "tool_call", "llm_call", "note"]


class TrajectoryStep(BaseModel):
    """One event. Tool calls carry name, arguments, result size, duration and error."""

    model_config = ConfigDict(extra="forbid")

    type: StepType
    at: float = Field(default_factory=time.time)  # unix seconds
    role: str | None = None  # for messages: system, user, assistant
    content: Any = None  # message text, or an LLM request/response body
    name: str | None = None  # tool name
    arguments: dict[str, Any] | None = None
    result: str | None = None  # tool result, capped
    result_size: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    usage: dict[str, int] | None = None  # tokens of an LLM call
    meta: dict[str, Any] = Field(default_factory=dict)


class Trajectory:
    """Collects steps from one run; safe to append from the agent's tool threads."""

    def __init__(self) -> None:
        self._steps: list[TrajectoryStep] = []
        self._lock = threading.Lock()

    def add(self, step: TrajectoryStep) -> TrajectoryStep:
        with self._lock:
            self._steps.append(step)
        return step

    def message(self, role: str, content: Any, **meta: Any) -> TrajectoryStep:
        return self.add(TrajectoryStep(type="message", role=role, content=content, meta=meta))

    def note(self, text: str, **meta: Any) -> TrajectoryStep:
        return self.add(TrajectoryStep(type="note", content=text, meta=meta))

    @property
    def steps(self) -> list[TrajectoryStep]:
        with self._lock:
            return list(self._steps)

    def tool_call_counts(self) -> dict[str, int]:
        return dict(Counter(s.name for s in self.steps if s.type == "tool_call" and s.name))

    def to_json(self) -> str:
        return json.dumps(
            [s.model_dump(mode="json", exclude_none=True) for s in self.steps], ensure_ascii=False
        )
