"""The Claude Code agent: runs the real ``claude`` CLI headless in the workspace.

The CLI runs its own agent loop and tools, so zebench only builds the command line and a scrubbed
environment, enforces the wall-clock limit on the whole process group, and turns the CLI's
``stream-json`` output into the trajectory and telemetry.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import IO, Any

from zebench.agents.base import AgentOptions, AgentResult, AgentTask
from zebench.agents.claude_code_events import StreamJsonParser, redact
from zebench.commands import safe_environment
from zebench.errors import AgentConfigError
from zebench.llm.types import MissingAPIKeyError

PINNED_VERSION = "2.1.332"  # the version zebench's tests and CI run against
INSTALL_HINT = (
    f"install it with `npm install -g @anthropic-ai/claude-code@{PINNED_VERSION}` or set ZEBENCH_CLAUDE_BIN"
)
# The CLI refuses --dangerously-skip-permissions as root, so root runs pre-approve these tools instead.
# Checked against the tool list of 2.1.332's init event (LS and MultiEdit no longer exist there).
ROOT_ALLOWED_TOOLS = ("Bash", "Edit", "Write", "Read", "Glob", "Grep", "NotebookEdit")
_KEY_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
_STDERR_TAIL = 8 * 1024
_TERM_GRACE_S = 2.0


class _TailReader(threading.Thread):
    """Drains stderr so the CLI never blocks on a full pipe, keeping only the last bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(daemon=True, name="claude-stderr")
        self.stream = stream
        self.chunks: deque[bytes] = deque()
        self.size = 0

    def run(self) -> None:
        while chunk := self.stream.read(4096):
            self.chunks.append(chunk)
            self.size += len(chunk)
            while self.size - len(self.chunks[0]) >= _STDERR_TAIL:
                self.size -= len(self.chunks.popleft())

    def text(self) -> str:
        return b"".join(self.chunks)[-_STDERR_TAIL:].decode("utf-8", errors="replace")


class _LineReader(threading.Thread):
    """Reads stdout line by line into the parser while the main thread watches the clock."""

    def __init__(self, stream: IO[bytes], parser: StreamJsonParser) -> None:
        super().__init__(daemon=True, name="claude-stdout")
        self.stream = stream
        self.parser = parser
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for raw in self.stream:
                self.parser.feed(raw.decode("utf-8", errors="replace"))
        except BaseException as exc:  # surfaced by the agent; a reader thread must not die silently
            self.error = exc


def _kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


class ClaudeCodeAgent:
    """Runs ``claude -p`` against the workspace. Registered as ``claude-code``.

    ``options.extra`` may hold ``allowed_tools`` (list of names, used when running as root) and
    ``claude_args`` (extra CLI arguments appended as given).
    """

    name = "claude-code"

    def __init__(
        self, options: AgentOptions | None = None, *, environ: Mapping[str, str] | None = None
    ) -> None:
        self.options = options or AgentOptions()
        # The environment the keys and binary are looked up in; os.environ unless a test injects one.
        self._environ = environ

    @property
    def environ(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    # --- configuration ------------------------------------------------------------------------

    def resolve_binary(self) -> str:
        """The CLI to run: ``ZEBENCH_CLAUDE_BIN`` if set, else ``claude`` on PATH."""
        configured = self.environ.get("ZEBENCH_CLAUDE_BIN")
        if configured:
            found = shutil.which(configured)
            if found is None:
                raise AgentConfigError(
                    f"ZEBENCH_CLAUDE_BIN={configured} is not an executable",
                    field="ZEBENCH_CLAUDE_BIN",
                    hint=INSTALL_HINT,
                )
            return found
        found = shutil.which("claude", path=self.environ.get("PATH"))
        if found is None:
            raise AgentConfigError(
                "the Claude Code CLI `claude` is not on PATH", field="claude-code", hint=INSTALL_HINT
            )
        return found

    def check_credentials(self) -> None:
        """Fail before starting when neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN is set."""
        if not any(self.environ.get(var) for var in _KEY_VARS):
            raise MissingAPIKeyError(
                "ANTHROPIC_API_KEY is not set", field="ANTHROPIC_API_KEY", hint="export it or put it in .env"
            )

    def command(self, task: AgentTask, binary: str, *, is_root: bool | None = None) -> list[str]:
        """The argv for one run (the prompt is passed as an argument, never through a shell)."""
        argv = [binary, "-p", task.prompt, "--output-format", "stream-json", "--verbose"]
        model = self.options.model or task.model
        if model:
            argv += ["--model", model]
        argv += ["--max-turns", str(self.options.max_turns)]
        if self.options.max_cost_usd is not None:
            argv += ["--max-budget-usd", f"{self.options.max_cost_usd:g}"]
        if task.system_prompt:
            argv += ["--append-system-prompt", task.system_prompt]
        if is_root is None:
            is_root = os.geteuid() == 0
        if is_root:
            tools = self.options.extra.get("allowed_tools") or ROOT_ALLOWED_TOOLS
            if isinstance(tools, str):
                tools = tools.split()
            argv += ["--permission-mode", "acceptEdits", "--allowedTools", " ".join(tools)]
        else:
            argv.append("--dangerously-skip-permissions")
        argv += [str(arg) for arg in self.options.extra.get("claude_args") or []]
        return argv

    def environment(self, home: str) -> dict[str, str]:
        """The CLI's environment: the scrubbed allow-list, the Anthropic variables, and a private HOME.

        The private HOME keeps the CLI away from the user's ~/.claude (settings, sessions, OAuth).
        """
        extra = {
            var: self.environ[var] for var in (*_KEY_VARS, "ANTHROPIC_BASE_URL") if self.environ.get(var)
        }
        if self.options.base_url:
            extra["ANTHROPIC_BASE_URL"] = self.options.base_url
        extra.update(
            {
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                "DISABLE_TELEMETRY": "1",
                "DISABLE_AUTOUPDATER": "1",
                "DISABLE_ERROR_REPORTING": "1",
            }
        )
        return safe_environment(extra, home=home, base=self.environ)

    def _time_limit(self, task: AgentTask) -> float:
        if self.options.time_limit_s is not None:
            return float(self.options.time_limit_s)
        minutes = getattr(task.scenario, "timeout_minutes", None)
        return float(minutes) * 60 if isinstance(minutes, int | float) else 3600.0

    # --- running ------------------------------------------------------------------------------

    def run(self, task: AgentTask) -> AgentResult:
        """Run the CLI to completion or until the time limit; never raises for agent failures."""
        self.check_credentials()
        binary = self.resolve_binary()
        secrets = [self.environ[var] for var in _KEY_VARS if self.environ.get(var)]
        argv = self.command(task, binary)
        limit = self._time_limit(task)
        parser = StreamJsonParser(task.trajectory, secrets=secrets)
        home = tempfile.mkdtemp(prefix="zebench-claude-home-")
        started = time.monotonic()
        try:
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=str(task.workspace),
                    env=self.environment(home),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,  # its own process group: a timeout kills the CLI and its tools
                )
            except OSError as exc:
                raise AgentConfigError(
                    f"cannot start {binary}: {exc}", field="claude-code", hint=INSTALL_HINT
                ) from exc
            exit_code, timed_out, stderr = self._supervise(proc, parser, limit)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        duration_ms = int((time.monotonic() - started) * 1000)
        result = self._result(parser, exit_code, timed_out, limit, redact(stderr, secrets))
        result.metadata.update(
            {
                "exit_code": exit_code,
                "duration_ms": duration_ms,
                "tool_call_counts": dict(parser.tool_calls),
                "llm_calls": len(parser.message_ids),
                # The prompt can be long and is stored with the run already; keep the flags only.
                "command": [("<prompt>" if arg == task.prompt else arg) for arg in argv[1:]],
            }
        )
        return result

    def _supervise(
        self, proc: subprocess.Popen[bytes], parser: StreamJsonParser, limit: float
    ) -> tuple[int | None, bool, str]:
        assert proc.stdout is not None and proc.stderr is not None
        out = _LineReader(proc.stdout, parser)
        err = _TailReader(proc.stderr)
        out.start()
        err.start()
        timed_out = False
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc, signal.SIGTERM)  # let the CLI flush, briefly
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_TERM_GRACE_S)
            _kill_group(proc)
            proc.wait()
        except BaseException:
            _kill_group(proc)  # Ctrl-C: never leave the CLI or its tools running
            proc.wait()
            raise
        finally:
            # Tools the CLI left in the background would hold the pipes open and outlive the run.
            _kill_group(proc)
            out.join(timeout=5)
            err.join(timeout=5)
        if out.error is not None:
            task_note = f"reading claude's output failed: {out.error!r}"
            parser.trajectory.note(task_note, source="claude-code")
        return (None if timed_out else proc.returncode), timed_out, err.text()

    def _result(
        self, parser: StreamJsonParser, exit_code: int | None, timed_out: bool, limit: float, stderr: str
    ) -> AgentResult:
        final = parser.result or {}
        result = AgentResult(
            final_message=str(final.get("result") or ""),
            model=parser.model or self.options.model,
            usage=parser.usage,
            cost_usd=parser.cost_usd,
            # The CLI prices its own usage from list prices: an estimate, not a provider-billed figure.
            cost_kind="estimated" if parser.cost_usd is not None else None,
            turns=int(final.get("num_turns") or 0),
        )
        result.metadata.update(
            {
                key: final[key]
                for key in ("subtype", "session_id", "terminal_reason", "duration_api_ms", "api_error_status")
                if final.get(key) is not None
            }
        )
        if parser.init.get("claude_code_version"):
            result.metadata["claude_code_version"] = parser.init["claude_code_version"]
        if final.get("permission_denials"):
            result.metadata["permission_denials"] = len(final["permission_denials"])
        if timed_out:
            result.status, result.reason = "timed_out", f"timed out after {limit:g}s"
            return result
        if parser.result is None:
            tail = stderr.strip()[-1000:] or "no output on stderr"
            result.status = "failed"
            result.reason = f"claude exited with code {exit_code} and no result event: {tail}"
            result.metadata["stderr_tail"] = stderr[-4000:]
            return result
        self._classify(result, final)
        return result

    def _classify(self, result: AgentResult, final: dict[str, Any]) -> None:
        subtype = str(final.get("subtype") or "")
        if subtype == "error_max_turns":
            result.status, result.reason = (
                "budget_exceeded",
                f"budget exceeded: max_turns={self.options.max_turns}",
            )
        elif subtype.startswith("error_max_budget"):
            result.status = "budget_exceeded"
            result.reason = f"budget exceeded: max_cost_usd={self.options.max_cost_usd}"
        elif final.get("api_error_status") is not None or final.get("terminal_reason") == "api_error":
            # The provider failed after the CLI's own retries: infrastructure, not the agent.
            result.status, result.reason = "infra_error", (result.final_message or "API error")[:500]
        elif final.get("is_error") or subtype.startswith("error"):
            errors = final.get("errors")
            detail = (
                "; ".join(map(str, errors)) if isinstance(errors, list) and errors else result.final_message
            )
            result.status, result.reason = "failed", f"{subtype or 'error'}: {detail}"[:500]
