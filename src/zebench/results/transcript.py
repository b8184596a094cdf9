"""A run's stored trajectory as a readable, bounded transcript: what ``zebench run ID --trajectory`` shows.

The trajectory artifact is a JSON list of :class:`~zebench.results.trajectory.TrajectoryStep`
(messages, LLM calls, tool calls with arguments and results, notes). A transcript keeps every step
but cuts each long text to a few lines, saying how much it left out, and stops after ``max_steps``:
the whole record stays one ``--json`` away. Everything here is plain text; the agent wrote much of
it, so whoever prints it must treat it as hostile (the CLI strips terminal control characters).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from zebench.results.trajectory import TrajectoryStep

MAX_STEPS = 400
MAX_LINES = 12  # of one text: a message, an argument, a tool result
MAX_CHARS = 1500


class Excerpt(BaseModel):
    """A text cut to its first lines, with how much of it was left out."""

    text: str
    lines_left: int = 0
    chars_left: int = 0

    @property
    def cut(self) -> bool:
        return bool(self.lines_left or self.chars_left)


class TranscriptEntry(BaseModel):
    """One step: a heading (what happened, with timing and tokens) and the texts that go with it."""

    index: int
    offset_s: float | None = None  # seconds since the first step
    kind: str  # message, llm_call, tool_call, note, unknown
    title: str  # "user", "assistant", "tool read_file", "LLM call", "note"
    detail: str = ""  # one line: duration, tokens, error
    parts: list[tuple[str, Excerpt]] = Field(default_factory=list)  # (label, text); label "" = plain


class Transcript(BaseModel):
    """The entries shown, the number of steps stored, and why nothing could be shown (if so)."""

    entries: list[TranscriptEntry] = Field(default_factory=list)
    total: int = 0
    problem: str | None = None


def excerpt(text: str, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> Excerpt:
    """The first ``max_lines`` lines (and at most ``max_chars`` characters) of ``text``."""
    lines = text.splitlines()
    kept = "\n".join(lines[:max_lines])
    lines_left = max(0, len(lines) - max_lines)
    chars_left = 0
    if len(kept) > max_chars:
        chars_left = len(kept) - max_chars
        kept = kept[:max_chars]
    return Excerpt(text=kept, lines_left=lines_left, chars_left=chars_left)


def read_steps(text: str) -> list[Any]:
    """The raw steps of a trajectory artifact (a JSON list, or ``{"steps": [...]}``); ValueError if neither."""
    data = json.loads(text)
    if isinstance(data, dict):  # some writers wrap the list
        data = data.get("steps")
    if not isinstance(data, list):
        raise ValueError("the trajectory is not a list of steps")
    return data


def transcript(text: str, *, max_steps: int = MAX_STEPS, max_lines: int = MAX_LINES) -> Transcript:
    """The trajectory artifact ``text`` as a bounded transcript."""
    try:
        raw = read_steps(text)
    except json.JSONDecodeError as exc:
        return Transcript(problem=f"the trajectory is not valid JSON: {exc.msg}")
    except ValueError as exc:
        return Transcript(problem=str(exc))
    entries: list[TranscriptEntry] = []
    start: float | None = None
    for i, item in enumerate(raw[:max_steps], start=1):
        try:
            step = TrajectoryStep.model_validate(item)
        except ValidationError:
            blob = json.dumps(item, ensure_ascii=False, default=str)
            entries.append(TranscriptEntry(index=i, kind="unknown", title="unrecognised step",
                                           parts=[("", excerpt(blob, max_lines))]))  # fmt: skip
            continue
        start = step.at if start is None else start
        entry = _entry(step, i, max_lines)
        entry.offset_s = round(step.at - start, 1)
        entries.append(entry)
    return Transcript(entries=entries, total=len(raw))


def _tokens(usage: dict[str, int]) -> str:
    """``120 in / 40 out tokens``; with a prompt cache, what was read from it and written to it
    (``input`` excludes both, so ``0 in`` alone would hide most of the prompt)."""
    text = f"{usage.get('input', 0):,} in"
    read, written = usage.get("cache_read", 0), usage.get("cache_write", 0)
    if read or written:
        text += f" (+ {read:,} cache read, {written:,} cache written)"
    return f"{text} / {usage.get('output', 0):,} out tokens"


def _entry(step: TrajectoryStep, index: int, max_lines: int) -> TranscriptEntry:
    details: list[str] = []
    if step.duration_ms is not None:
        details.append(f"{step.duration_ms} ms")
    if step.usage:
        details.append(_tokens(step.usage))
    error_lines = (step.error or "").strip().splitlines()
    if error_lines:
        first = error_lines[0] if len(error_lines[0]) <= 160 else error_lines[0][:159] + "…"
        details.append(f"error: {first}")
    entry = TranscriptEntry(index=index, kind=step.type, title=_title(step), detail=", ".join(details))
    if step.error and (len(error_lines) > 1 or len(error_lines[0]) > 160) and step.result is None:
        entry.parts.append(("error", excerpt(step.error, max_lines)))
    if step.type == "tool_call":
        for key, value in (step.arguments or {}).items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            entry.parts.append((key, excerpt(shown, max_lines)))
        if step.result is not None:
            size = f" ({step.result_size:,} chars)" if step.result_size is not None else ""
            entry.parts.append((f"result{size}", excerpt(step.result, max_lines)))
    elif step.type == "llm_call":
        entry.parts += _llm_parts(step.content, max_lines)
    else:
        text = content_text(step.content)
        if text:
            entry.parts.append(("", excerpt(text, max_lines)))
    return entry


def _llm_parts(content: Any, max_lines: int) -> list[tuple[str, Excerpt]]:
    """An LLM call's reply: its text and the tools it asked for (the request is in the messages)."""
    response = content.get("response") if isinstance(content, dict) else None
    if not isinstance(response, dict):
        text = content_text(content)
        return [("", excerpt(text, max_lines))] if text else []
    parts: list[tuple[str, Excerpt]] = []
    if isinstance(response.get("text"), str) and response["text"].strip():
        parts.append(("reply", excerpt(response["text"], max_lines)))
    calls = response.get("tool_calls")
    if isinstance(calls, list) and calls:
        names = [str(c.get("name", "?")) if isinstance(c, dict) else "?" for c in calls]
        parts.append(("asks for", excerpt(", ".join(names), max_lines)))
    return parts


def _title(step: TrajectoryStep) -> str:
    if step.type == "tool_call":
        return f"tool {step.name or '?'}"
    if step.type == "message":
        return step.role or "message"
    if step.type == "llm_call":
        return "LLM call"
    return "note"


def content_text(content: Any) -> str | None:
    """A step's content as text: a string as it is, text blocks joined, anything else as JSON."""
    if content is None:
        return None
    if isinstance(content, str):
        return content
    # Message content can be a list of blocks ({"type": "text", "text": ...}): show the text plainly.
    if isinstance(content, list) and all(isinstance(b, dict) and b.get("type") == "text" for b in content):
        return "\n\n".join(str(b.get("text", "")) for b in content)
    return json.dumps(content, indent=2, ensure_ascii=False, default=str)
