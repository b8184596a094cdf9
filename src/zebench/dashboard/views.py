"""Turn raw artifacts into structures the run page renders: diff files/lines and trajectory steps.

Everything here is plain data (strings, numbers); escaping happens in the templates, so the agent's
text stays text whatever it contains.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from zebench.results.trajectory import TrajectoryStep
from zebench.results.transcript import content_text, read_steps

# Rendering megabytes of diff lines as HTML makes the page unusable; the raw artifact is in the API.
MAX_DIFF_CHARS = 400_000
MAX_STEPS = 1500
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_GIT_HEADER = re.compile(r"^diff --git a/(.*) b/(.*)$")


@dataclass
class DiffLine:
    """One line of a diff with its kind (add/del/ctx/hunk/meta) and old/new line numbers."""

    kind: str
    text: str
    old: int | None = None
    new: int | None = None


@dataclass
class DiffFile:
    """The section of a patch about one file."""

    path: str
    lines: list[DiffLine] = field(default_factory=list)
    added: int = 0
    removed: int = 0


@dataclass
class ParsedDiff:
    """A patch split per file, and whether it was cut for display."""

    files: list[DiffFile]
    truncated: bool


def _path_from_header(line: str) -> str:
    match = _GIT_HEADER.match(line)
    return match.group(2) if match else line.removeprefix("diff ").strip()


def parse_diff(patch: str) -> ParsedDiff:
    """Split a unified (git) diff into files and classify each line for colouring."""
    truncated = len(patch) > MAX_DIFF_CHARS
    text = patch[:MAX_DIFF_CHARS] if truncated else patch
    files: list[DiffFile] = []
    current: DiffFile | None = None
    old_no = new_no = 0
    in_hunk = False
    for line in text.splitlines():
        if line.startswith("diff "):
            current = DiffFile(path=_path_from_header(line))
            files.append(current)
            in_hunk = False
            current.lines.append(DiffLine("meta", line))
            continue
        if current is None:  # a patch without "diff --git" headers: one anonymous section
            current = DiffFile(path="(patch)")
            files.append(current)
        hunk = _HUNK.match(line)
        if hunk:
            old_no, new_no, in_hunk = int(hunk.group(1)), int(hunk.group(2)), True
            current.lines.append(DiffLine("hunk", line))
        elif not in_hunk:
            if line.startswith("+++ ") and current.path == "(patch)":
                current.path = line[4:].removeprefix("b/").strip()
            current.lines.append(DiffLine("meta", line))
        elif line.startswith("+"):
            current.lines.append(DiffLine("add", line, new=new_no))
            current.added += 1
            new_no += 1
        elif line.startswith("-"):
            current.lines.append(DiffLine("del", line, old=old_no))
            current.removed += 1
            old_no += 1
        elif line.startswith("\\"):
            current.lines.append(DiffLine("meta", line))
        else:
            current.lines.append(DiffLine("ctx", line, old=old_no, new=new_no))
            old_no += 1
            new_no += 1
    return ParsedDiff(files=files, truncated=truncated)


@dataclass
class StepView:
    """One trajectory step prepared for the timeline."""

    index: int
    type: str
    role: str | None
    title: str
    text: str | None = None  # message or note text
    arguments: str | None = None  # pretty JSON
    preview: str | None = None  # one line of the arguments, for the collapsed summary
    result: str | None = None
    error: str | None = None
    duration_ms: int | None = None
    result_size: int | None = None
    usage: dict[str, int] | None = None
    offset_s: float | None = None  # seconds since the first step


@dataclass
class TrajectoryView:
    """The timeline, or why it could not be shown."""

    steps: list[StepView]
    total: int
    problem: str | None = None


def parse_trajectory(text: str) -> TrajectoryView:
    """Parse the trajectory artifact (a JSON list of TrajectoryStep) into timeline entries."""
    try:
        raw = read_steps(text)
    except json.JSONDecodeError as exc:
        return TrajectoryView(steps=[], total=0, problem=f"the trajectory is not valid JSON: {exc.msg}")
    except ValueError as exc:  # valid JSON, but not a list of steps
        return TrajectoryView(steps=[], total=0, problem=str(exc))
    views: list[StepView] = []
    start: float | None = None
    for i, item in enumerate(raw[:MAX_STEPS]):
        try:
            step = TrajectoryStep.model_validate(item)
        except ValidationError:
            views.append(StepView(i + 1, "unknown", None, "unrecognised step", text=content_text(item)))
            continue
        start = step.at if start is None else start
        view = StepView(
            index=i + 1,
            type=step.type,
            role=step.role,
            title=_title(step),
            error=step.error,
            duration_ms=step.duration_ms,
            result_size=step.result_size,
            usage=step.usage,
            offset_s=round(step.at - start, 1),
        )
        if step.type == "tool_call":
            view.arguments = json.dumps(step.arguments or {}, indent=2, ensure_ascii=False, default=str)
            view.preview = _preview(step.arguments or {})
            view.result = step.result
        else:
            view.text = content_text(step.content)
        views.append(view)
    return TrajectoryView(steps=views, total=len(raw))


def _preview(arguments: dict[str, Any], width: int = 110) -> str:
    """``key: value, ...`` on one line, cut to ``width`` characters."""
    parts = []
    for key, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        parts.append(f"{key}: {' '.join(str(text).split())}")
    line = ", ".join(parts)
    return line if len(line) <= width else line[: width - 1] + "…"


def _title(step: TrajectoryStep) -> str:
    if step.type == "tool_call":
        return step.name or "tool call"
    if step.type == "message":
        return step.role or "message"
    if step.type == "llm_call":
        return "LLM call"
    return "note"


def parse_agent_output(text: str) -> str:
    """The agent_output artifact as display text (pretty-printed when it is JSON)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, ValueError):
        return text
