"""The agent's tools, confined to the run's workspace.

One :class:`Toolbox` per run: ``specs()`` describes the tools (complete JSON schemas) and
``call(name, arguments)`` runs one, returning a :class:`ToolResult` and appending a trajectory step.
"""

from zebench.tools.files import MAX_LIST_ENTRIES, MAX_READ_BYTES, ToolError
from zebench.tools.oracle import DEFAULT_ANSWER, OracleAnswers
from zebench.tools.paths import PathEscapeError, resolve_in_workspace
from zebench.tools.specs import TOOL_SPECS, ToolResult, ToolSpec
from zebench.tools.toolbox import Toolbox

__all__ = [
    "DEFAULT_ANSWER",
    "MAX_LIST_ENTRIES",
    "MAX_READ_BYTES",
    "TOOL_SPECS",
    "OracleAnswers",
    "PathEscapeError",
    "ToolError",
    "ToolResult",
    "ToolSpec",
    "Toolbox",
    "resolve_in_workspace",
]
