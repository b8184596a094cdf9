"""One run's tools: schemas for the model, validated calls, and a trajectory entry per call."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zebench.commands import CommandRunner
from zebench.errors import ZebenchError
from zebench.results.trajectory import Trajectory, TrajectoryStep
from zebench.tools import files
from zebench.tools.files import ToolError
from zebench.tools.oracle import OracleAnswers
from zebench.tools.specs import TOOL_SPECS, ToolResult, ToolSpec

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

TRAJECTORY_RESULT_CAP = 10 * 1024  # characters of a result kept in the trajectory


class Toolbox:
    """The tools one agent run may use, bound to its workspace, command runner and trajectory.

    :meth:`call` never raises for a failing tool: unknown names, invalid arguments, escaping paths,
    missing or binary files all come back as a :class:`ToolResult` with ``is_error``. Safe to call
    from several threads. Without ``oracle``, ``ask_user`` answers every question with the default.
    """

    def __init__(
        self,
        workspace: Path,
        *,
        trajectory: Trajectory,
        command_runner: CommandRunner,
        oracle: OracleAnswers | None = None,
        command_timeout_s: float = 120,
        max_command_timeout_s: float = 600,
        output_cap: int = 30_000,
    ) -> None:
        self.workspace = Path(workspace)
        self.trajectory = trajectory
        self.command_runner = command_runner
        self.oracle = oracle if oracle is not None else OracleAnswers({})
        self.command_timeout_s = command_timeout_s
        self.max_command_timeout_s = max_command_timeout_s
        self.output_cap = output_cap
        self._validators: dict[str, Validator] = {}  # built on first use, see _validator
        self._handlers: dict[str, Callable[..., str]] = {
            "read_file": lambda **a: files.read_file(self.workspace, **a),
            "write_file": lambda **a: files.write_file(self.workspace, **a),
            "edit_file": lambda **a: files.edit_file(self.workspace, **a),
            "list_directory": lambda **a: files.list_directory(self.workspace, **a),
            "run_command": self._run_command,
            "ask_user": self._ask_user,
        }

    def specs(self) -> list[ToolSpec]:
        """The tools with their JSON schemas, for the model's tool list."""
        return list(TOOL_SPECS)

    def call(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """Run tool ``name`` with ``arguments`` and record the call in the trajectory."""
        started = time.monotonic()
        result = self._dispatch(name, arguments)
        duration_ms = int((time.monotonic() - started) * 1000)
        content = result.content
        self.trajectory.add(
            TrajectoryStep(
                type="tool_call",
                name=name,
                arguments=arguments if isinstance(arguments, dict) else {"_raw": repr(arguments)},
                result=_cap(content, TRAJECTORY_RESULT_CAP),
                result_size=len(content),
                duration_ms=duration_ms,
                error=_cap(content, TRAJECTORY_RESULT_CAP) if result.is_error else None,
            )
        )
        return result

    def _dispatch(self, name: str, arguments: Any) -> ToolResult:
        handler = self._handlers.get(name)
        if handler is None:
            known = ", ".join(sorted(self._handlers))
            return ToolResult(
                content=f"error: unknown tool {name!r}; available tools: {known}", is_error=True
            )
        if not isinstance(arguments, dict):
            return ToolResult(content=f"error: {name} arguments must be a JSON object", is_error=True)
        problems = sorted(self._validator(name).iter_errors(arguments), key=lambda e: list(e.path))
        if problems:
            detail = "; ".join(_describe(e) for e in problems[:5])
            return ToolResult(content=f"error: invalid arguments for {name}: {detail}", is_error=True)
        try:
            return ToolResult(content=handler(**arguments))
        except _ToolFailure as failure:
            return failure.result
        except ToolError as exc:
            return ToolResult(content=f"error: {exc}", is_error=True)
        except ZebenchError as exc:
            return ToolResult(content=f"error: {exc.one_line()}", is_error=True)
        except (OSError, ValueError) as exc:
            return ToolResult(content=f"error: {name} failed: {exc}", is_error=True)

    def _validator(self, name: str) -> Validator:
        """The JSON schema validator of tool ``name``'s arguments, built the first time it is needed.

        jsonschema (with attrs and referencing, ~40 ms to import) is imported on the first tool
        call: only LLM agents call tools, and a run with the echo or oracle agent never needs it.
        """
        validator = self._validators.get(name)
        if validator is None:
            from jsonschema import Draft202012Validator

            spec = next(spec for spec in TOOL_SPECS if spec.name == name)
            # setdefault: two threads racing here keep one validator (both would be equivalent).
            validator = self._validators.setdefault(name, Draft202012Validator(spec.parameters))
        return validator

    def _run_command(self, command: str, timeout_s: float | None = None) -> str:
        timeout = min(timeout_s or self.command_timeout_s, self.max_command_timeout_s)
        result = self.command_runner.run(
            command,
            self.workspace,
            name="run_command",
            timeout_s=timeout,
            output_cap=self.output_cap,
        )
        if result.timed_out:
            head = f"timed out after {timeout:g}s; the command and its child processes were killed"
        elif result.exit_code is None:
            head = f"could not run: {result.error}"
        else:
            head = f"exit code {result.exit_code}"
        parts = [head]
        if result.stdout:
            parts.append(f"stdout:\n{result.stdout}")
        if result.stderr:
            parts.append(f"stderr:\n{result.stderr}")
        text = _cap("\n".join(parts), self.output_cap)
        if not result.ok:
            raise _ToolFailure(ToolResult(content=text, is_error=True))
        return text

    def _ask_user(self, question: str, context: str | None = None) -> str:
        return self.oracle.ask(question)


class _ToolFailure(Exception):
    """Carries a complete error result out of a handler (a command that ran but failed)."""

    def __init__(self, result: ToolResult) -> None:
        super().__init__(result.content)
        self.result = result


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.path)
    return f"{where}: {error.message}" if where else str(error.message)


def _cap(text: str, cap: int) -> str:
    """Keep the head and the tail of ``text`` within ``cap`` characters."""
    if len(text) <= cap:
        return text
    half = cap // 2
    dropped = len(text) - 2 * half
    return f"{text[:half]}\n… [{dropped} characters truncated] …\n{text[-half:]}"
