"""Turn Claude Code's ``--output-format stream-json`` events into trajectory steps and telemetry.

The CLI prints one JSON object a line: ``system`` (``init``, ``api_retry``, ...), ``assistant``
messages (one event per content block, sharing a message id), ``user`` messages carrying
``tool_result`` blocks, and a final ``result`` with turns, cost and summed token usage.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from zebench.results.models import TokenUsage
from zebench.results.ranges import as_cost
from zebench.results.trajectory import Trajectory, TrajectoryStep

RESULT_CAP = 4000  # characters of a tool result kept in the trajectory; the size is always recorded
REDACTED = "[redacted]"


def redact(value: Any, secrets: list[str]) -> Any:
    """Replace every occurrence of a secret in strings nested anywhere in ``value``.

    Defence in depth: a Bash tool call that prints the environment must not smuggle the API key into
    the stored trajectory.
    """
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, list):
        return [redact(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: redact(item, secrets) for key, item in value.items()}
    return value


def _tool_result_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                parts.append(block["text"])
            elif isinstance(block, dict) and block.get("type") == "image":
                parts.append("[image]")
            else:
                parts.append(json.dumps(block, ensure_ascii=False))
        return "\n".join(parts)
    return json.dumps(content, ensure_ascii=False)


def usage_from(raw: Any) -> TokenUsage:
    """Anthropic-style usage (``input_tokens``, ``cache_read_input_tokens``, ...) as a TokenUsage."""
    if not isinstance(raw, dict):
        return TokenUsage()

    def number(key: str) -> int:
        value = raw.get(key)
        return int(value) if isinstance(value, int | float) else 0

    return TokenUsage(
        input=number("input_tokens"),
        output=number("output_tokens"),
        cache_read=number("cache_read_input_tokens"),
        cache_write=number("cache_creation_input_tokens"),
    )


class StreamJsonParser:
    """Feeds stream-json lines into a :class:`Trajectory` and keeps what the result needs.

    Not thread-safe: one reader thread owns it while the CLI runs.
    """

    def __init__(
        self, trajectory: Trajectory, *, secrets: list[str] | None = None, source: str = "claude-code"
    ) -> None:
        self.trajectory = trajectory
        self.source = source  # Qwen Code speaks the same stream-json
        self.secrets = [s for s in (secrets or []) if s]
        self.init: dict[str, Any] = {}
        self.result: dict[str, Any] | None = None
        self.tool_calls: Counter[str] = Counter()
        self.unparsed_lines = 0
        # Distinct ids of model replies: the CLI splits one reply into an event per content block,
        # and its num_turns counts differently again, so this is the honest count of LLM calls.
        self.message_ids: set[str] = set()
        self._open_calls: dict[str, tuple[TrajectoryStep, float | None]] = {}

    def feed(self, line: str) -> None:
        """Handle one line of stdout. Lines that are not JSON objects (warnings) are counted, not fatal."""
        line = line.strip()
        if not line:
            return
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            self.unparsed_lines += 1
            return
        if not isinstance(event, dict):
            self.unparsed_lines += 1
            return
        kind = event.get("type")
        if kind == "system":
            self._system(event)
        elif kind == "assistant":
            self._assistant(event)
        elif kind == "user":
            self._user(event)
        elif kind == "result":
            self.result = event
        # Other event kinds (stream_event, rate-limit notices, ...) carry nothing we store.

    def _system(self, event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype == "init":
            self.init = event
            keep = (
                "session_id",
                "model",
                "cwd",
                "permissionMode",
                "claude_code_version",
                "tools",
                "apiKeySource",
                "qwen_code_version",
            )
            meta = {key: event[key] for key in keep if key in event}
            self.trajectory.note(
                f"{self.source} session started", source=self.source, **redact(meta, self.secrets)
            )
        elif subtype == "api_retry":
            info = {k: v for k, v in event.items() if k not in ("type", "subtype", "session_id", "uuid")}
            self.trajectory.note(
                f"{self.source} retried an API call", source=self.source, **redact(info, self.secrets)
            )

    def _assistant(self, event: dict[str, Any]) -> None:
        message = event.get("message") or {}
        meta: dict[str, Any] = {"source": self.source}
        if message.get("id"):
            meta["message_id"] = message["id"]
            if message.get("model") != "<synthetic>":  # the CLI's own error notices are not LLM calls
                self.message_ids.add(str(message["id"]))
        if event.get("parent_tool_use_id"):
            meta["parent_tool_use_id"] = event["parent_tool_use_id"]  # a sub-agent's step
        for block in message.get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and block.get("text"):
                self.trajectory.add(
                    TrajectoryStep(
                        type="message",
                        role="assistant",
                        content=redact(block["text"], self.secrets),
                        meta=meta,
                    )
                )
            elif block.get("type") == "thinking" and block.get("thinking"):
                self.trajectory.add(
                    TrajectoryStep(
                        type="message",
                        role="assistant",
                        content=redact(block["thinking"], self.secrets),
                        meta={**meta, "thinking": True},
                    )
                )
            elif block.get("type") == "tool_use":
                name = str(block.get("name") or "unknown")
                arguments = block.get("input") if isinstance(block.get("input"), dict) else {}
                step = self.trajectory.add(
                    TrajectoryStep(
                        type="tool_call",
                        name=name,
                        arguments=redact(arguments, self.secrets),
                        meta={**meta, "tool_use_id": block.get("id")},
                    )
                )
                self.tool_calls[name] += 1
                if block.get("id"):
                    self._open_calls[str(block["id"])] = (step, _timestamp(event))

    def _user(self, event: dict[str, Any]) -> None:
        content = (event.get("message") or {}).get("content")
        if not isinstance(content, list):
            return
        for block in content:
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            opened = self._open_calls.pop(str(block.get("tool_use_id")), None)
            text = redact(_tool_result_text(block.get("content")), self.secrets)
            is_error = bool(block.get("is_error"))
            if opened is None:
                # A result for a call we never saw (e.g. from a sub-agent): keep it as a note.
                self.trajectory.note(
                    "tool result without a matching call", tool_use_id=block.get("tool_use_id")
                )
                continue
            step, started = opened
            finished = _timestamp(event)
            # The step is already in the trajectory; completing it in place keeps call and result together.
            step.result = text[:RESULT_CAP]
            step.result_size = len(text)
            if started is not None and finished is not None:
                step.duration_ms = max(0, int((finished - started) * 1000))
            if is_error:
                step.error = (text.strip().splitlines() or ["tool error"])[0][:500]

    # --- what the run reports -----------------------------------------------------------------

    @property
    def usage(self) -> TokenUsage:
        return usage_from((self.result or {}).get("usage"))

    @property
    def cost_usd(self) -> float | None:
        value = (self.result or {}).get("total_cost_usd")
        return as_cost(value)

    @property
    def model(self) -> str | None:
        model = self.init.get("model")
        return str(model) if model else None


def _timestamp(event: dict[str, Any]) -> float | None:
    """The event's ISO timestamp as unix seconds, when present."""
    raw = event.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
