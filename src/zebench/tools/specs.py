"""The tools' names, descriptions and JSON schemas, and the shapes of a call's result."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ToolSpec(BaseModel):
    """A tool as offered to a model: ``parameters`` is a complete JSON schema of its arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    parameters: dict[str, Any]


class ToolResult(BaseModel):
    """What a tool call returns to the model. Errors are results too (``is_error``), never exceptions."""

    model_config = ConfigDict(extra="forbid")

    content: str
    is_error: bool = False


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_PATH = {"type": "string", "description": "A path relative to the workspace root, e.g. src/app.ts."}

TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="read_file",
        description=(
            "Read a UTF-8 text file from the workspace. Large files are cut at 256 KB; use offset and "
            "limit to read a range of lines."
        ),
        parameters=_schema(
            {
                "path": _PATH,
                "offset": {"type": "integer", "minimum": 1, "description": "First line to read (1-based)."},
                "limit": {"type": "integer", "minimum": 1, "description": "How many lines to read."},
            },
            ["path"],
        ),
    ),
    ToolSpec(
        name="write_file",
        description="Create or overwrite a file with the given content. Missing parent folders are created.",
        parameters=_schema(
            {"path": _PATH, "content": {"type": "string", "description": "The complete new file content."}},
            ["path", "content"],
        ),
    ),
    ToolSpec(
        name="edit_file",
        description=(
            "Replace an exact string in a file. old_string must occur exactly once unless replace_all is "
            "true; include enough surrounding lines to make it unique."
        ),
        parameters=_schema(
            {
                "path": _PATH,
                "old_string": {
                    "type": "string",
                    "description": "The exact text to replace (whitespace matters).",
                },
                "new_string": {"type": "string", "description": "The replacement text."},
                "replace_all": {
                    "type": "boolean",
                    "default": False,
                    "description": "Replace every occurrence instead of requiring exactly one.",
                },
            },
            ["path", "old_string", "new_string"],
        ),
    ),
    ToolSpec(
        name="list_directory",
        description=(
            "List a folder of the workspace, sorted; folders end with '/'. recursive lists the whole subtree "
            "but does not descend into dependency or cache folders such as node_modules. At most 1000 entries."
        ),
        parameters=_schema(
            {
                "path": {**_PATH, "default": ".", "description": "A folder relative to the workspace root."},
                "recursive": {"type": "boolean", "default": False, "description": "List subfolders too."},
            },
            [],
        ),
    ),
    ToolSpec(
        name="run_command",
        description=(
            "Run a shell command in the workspace root (e.g. tests, builds, git). Returns the exit code, "
            "stdout and stderr (long output is cut in the middle). Long-running commands are killed at the timeout."
        ),
        parameters=_schema(
            {
                "command": {"type": "string", "description": "The shell command line."},
                "timeout_s": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "description": "Seconds before the command is killed (capped by the benchmark).",
                },
            },
            ["command"],
        ),
    ),
    ToolSpec(
        name="ask_user",
        description=(
            "Ask the user a question. Use it sparingly, only for decisions you cannot make from the task "
            "and the code (e.g. whether a risky change is acceptable)."
        ),
        parameters=_schema(
            {
                "question": {"type": "string", "description": "The question, self-contained."},
                "context": {"type": "string", "description": "Why you are asking, or the options you see."},
            },
            ["question"],
        ),
    ),
)
