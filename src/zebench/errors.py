"""Errors a user can act on.

Every error raised for bad input names the file, the field and the fix, so the CLI can print one
line and exit with code 2 instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class ZebenchError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The error as a single line: ``file: field: message (hint)``."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        line = ": ".join(parts)
        if self.hint:
            line += f" ({self.hint})"
        return line


class ScenarioError(ZebenchError):
    """A suite, scenario, tier or scenario file is missing or malformed."""


class TemplateError(ZebenchError):
    """A specialist template is missing or malformed."""


class WorkspaceError(ZebenchError):
    """A fixture or solution could not be laid into a workspace."""


class AgentConfigError(ZebenchError):
    """An agent cannot start: unknown name, missing API key, missing binary."""


class StoreError(ZebenchError):
    """The results store or results server cannot be used."""


class NotFoundError(ZebenchError):
    """A run, batch or other stored object does not exist."""


class AmbiguousIdError(ZebenchError):
    """A shortened run or batch id matches more than one stored id."""
