"""The installed-agent base: what every coding-agent CLI adapter shares.

An adapter says only what differs (Harbor's lesson): its pin, its config files, its command line
and how to read its output. This base installs the pin (or takes the user's binary), makes a
private HOME outside the workspace, writes the specialist's channel, starts the CLI inside the
run's agent sandbox through the run's command runner (the launcher relays the model gateway onto
the sandbox's loopback), reads the CLI's output and session files back as hostile input, and
turns them into the run's result.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from zebench.agents.base import AgentOptions, AgentResult, AgentStatus, AgentTask, ModelAccess
from zebench.agents.installed import homefiles
from zebench.agents.installed.endpoint import PROVIDERS, ModelRoute, model_route, upstream_url
from zebench.agents.installed.install import Installation, resolve
from zebench.agents.installed.pins import PINS, AgentPin, WireApi
from zebench.commands.runner import CommandRunner, LocalCommandRunner, runner_hook
from zebench.results.models import CommandResult, TokenUsage
from zebench.safefs import remove_tree
from zebench.sandbox.bwrap import SANDBOX_HOME, PhaseMounts

LAUNCHER_SOURCE = Path(__file__).with_name("_launcher.py").read_text(encoding="utf-8")
STATE_DIR = ".zebench"  # in the private HOME: the launch spec, the prompt and the CLI's output
MAX_OUTPUT_BYTES = 64 * 1024 * 1024  # of the CLI's stdout read back; the rest is not parsed
STDERR_TAIL = 4000
KEEP_HOME_ENV = "ZEBENCH_KEEP_AGENT_HOME"  # set: keep the private HOME for debugging (logged in metadata)


@dataclass
class RunContext:
    """One run of an adapter: where its HOME is (on the host and as the agent sees it), its model."""

    task: AgentTask
    home: Path  # on the host: config files are written here, session files read back from here
    home_inside: str  # HOME as the agent sees it
    access: ModelRoute
    installation: Installation
    sandboxed: bool

    @property
    def model(self) -> str:
        return self.access.model

    def inside(self, relative: str) -> str:
        """The path of ``HOME/relative`` as the agent sees it."""
        return f"{self.home_inside}/{relative}"

    def write(self, relative: str, text: str) -> str:
        """Write ``HOME/relative`` (before the agent starts) and return its path inside."""
        path = self.home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return self.inside(relative)


@dataclass
class AgentOutput:
    """What the CLI left: its output (read bounded from files it could write) and how it ended."""

    stdout: str
    stderr: str
    command: CommandResult

    def lines(self) -> list[dict[str, Any]]:
        """The JSON objects among stdout's lines (JSONL output); other lines are skipped."""
        return json_lines(self.stdout)


@dataclass
class Parsed:
    """What an adapter's parser read from the CLI's own report."""

    final_message: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float | None = None
    turns: int = 0
    llm_calls: int | None = None
    status: AgentStatus | None = None  # None: decided from the exit code
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: agent output is read defensively."""
    return value if isinstance(value, dict) else {}


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` that is a JSON object, in order."""
    events: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


class InstalledAgent:
    """Base of the CLI adapters. Subclasses set the class attributes and implement
    :meth:`command` and :meth:`parse`; :meth:`configure` and :meth:`specialist` as needed."""

    name: ClassVar[str]
    default_model: ClassVar[str] = "fake-model"
    memory_file: ClassVar[str | None] = None  # HOME-relative file the CLI reads as global memory

    def __init__(self, options: AgentOptions | None = None, *, environ: Mapping[str, str] | None = None):
        self.options = options or AgentOptions()
        self._environ = environ
        self.check()

    def check(self) -> None:
        """Fail before any work (one line) when the run could not start: the gateway's upstream key."""
        if self.options.replay_dir is None and self._environ is None:
            from zebench.gateway.upstream import resolve_upstream

            access = self.model_access()
            resolve_upstream(access.provider, access.base_url)

    @property
    def environ(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    @property
    def pin(self) -> AgentPin:
        return PINS[self.name]

    @property
    def wire_api(self) -> WireApi:
        """The wire API this CLI speaks (its pin's)."""
        return self.pin.wire_api

    # --- what adapters provide ------------------------------------------------------------------

    def model_access(self) -> ModelAccess:
        """What the pipeline's model gateway needs: the provider and wire API this CLI speaks, and
        that its client runs in the sandbox; the upstream is ``--base-url`` (else the provider's)."""
        wire = self.wire_api
        return ModelAccess(
            provider=PROVIDERS[wire],
            wires=(wire,),
            runs_in="sandbox",
            base_url=upstream_url(wire, self.options.base_url),
        )

    def prepare(self) -> None:
        """Install the CLI now (the CLI calls this before a batch, so no run's time includes it)."""
        self.installation()

    def installation(self) -> Installation:
        """The CLI to run: the user's binary, else the pin, installed into the cache on first use."""
        return resolve(self.pin, self.options.extra.get("agent_bin"), self.environ)

    def configure(self, ctx: RunContext) -> None:
        """Write the CLI's own config files into the private HOME."""

    def environment(self, ctx: RunContext) -> dict[str, str]:
        """Variables the CLI needs (base URL, the placeholder key, telemetry off ...)."""
        return {}

    def command(self, ctx: RunContext, prompt: str) -> list[str]:
        """The argv (the binary is ``ctx.installation.binary``)."""
        raise NotImplementedError

    def parse(self, ctx: RunContext, output: AgentOutput) -> Parsed:
        """Read the CLI's output and session files into ``ctx.task.trajectory`` and a :class:`Parsed`."""
        raise NotImplementedError

    def specialist(self, ctx: RunContext) -> str | None:
        """Deliver the specialist's system prompt through the CLI's own channel; say where it went.

        The default writes the CLI's global memory file in the private HOME, which is never part
        of the scored diff.
        """
        if not ctx.task.system_prompt or self.memory_file is None:
            return None
        ctx.write(self.memory_file, ctx.task.system_prompt)
        return f"~/{self.memory_file}"

    # --- the shared run -------------------------------------------------------------------------

    def time_limit(self, task: AgentTask) -> float:
        if self.options.time_limit_s is not None:
            return float(self.options.time_limit_s)
        minutes = getattr(task.scenario, "timeout_minutes", None)
        return float(minutes) * 60 if isinstance(minutes, int | float) else 3600.0

    def run(self, task: AgentTask) -> AgentResult:
        """Run the CLI in the agent's sandbox to the end or the time limit; never raises for
        agent failures (a missing binary or model server is a configuration error, raised)."""
        installation = self.installation()
        runner: CommandRunner = getattr(task.tools, "command_runner", None) or LocalCommandRunner()
        sandboxed = getattr(runner, "sandbox_name", "none") == "bwrap"
        route = model_route(
            task.model_endpoint,
            base_url=self.options.base_url,
            model=self.options.model or task.model or self.default_model,
            wire=self.wire_api,
            sandboxed=sandboxed,
        )
        scratch = Path(tempfile.mkdtemp(prefix=f"zebench-{self.name}-"))
        home = scratch / "home"
        home.mkdir()
        try:
            ctx = RunContext(
                task, home, SANDBOX_HOME if sandboxed else str(home), route, installation, sandboxed
            )
            return self._run_in(ctx, runner)
        finally:
            if not self.environ.get(KEEP_HOME_ENV):
                remove_tree(scratch)

    def _run_in(self, ctx: RunContext, runner: CommandRunner) -> AgentResult:
        task = ctx.task
        channel = self.specialist(ctx)
        self.configure(ctx)
        argv = self.command(ctx, task.prompt)
        bin_dir = os.path.dirname(ctx.installation.binary)
        env = {"HOME": ctx.home_inside, "PATH": bin_dir + ":" + runner_path(runner, task.workspace)}
        env.update(self.environment(ctx))
        spec = {
            "argv": argv,
            "env": env,
            "cwd": str(task.workspace),
            "stdout": ctx.inside(f"{STATE_DIR}/stdout.log"),
            "stderr": ctx.inside(f"{STATE_DIR}/stderr.log"),
        }
        launch = ctx.write(f"{STATE_DIR}/launch.json", json.dumps(spec))
        mounts = PhaseMounts(
            home=str(ctx.home),
            read_only=ctx.installation.read_only,
            lift_address_space=True,
        )
        runner_hook(runner, "set_phase_mounts", mounts)
        limit = self.time_limit(task)
        started = time.monotonic()
        try:
            command = runner.run(
                shlex.join([sys.executable, "-I", "-S", "-c", LAUNCHER_SOURCE, launch]),
                task.workspace,
                name=self.name,
                timeout_s=limit,
                env={"HOME": ctx.home_inside},
                output_cap=STDERR_TAIL,
            )
        finally:
            runner_hook(runner, "set_phase_mounts", None)  # the agent's sandbox, and all it left, end
        output = AgentOutput(
            homefiles.read_optional(ctx.home, f"{STATE_DIR}/stdout.log", max_bytes=MAX_OUTPUT_BYTES) or "",
            _tail(homefiles.read_optional(ctx.home, f"{STATE_DIR}/stderr.log", max_bytes=MAX_OUTPUT_BYTES)),
            command,
        )
        parsed = self.parse(ctx, output)
        result = self._result(parsed, output, limit)
        result.metadata.update(
            {
                "agent_version": ctx.installation.version,
                "exit_code": command.exit_code,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "agent_reported_usage": parsed.usage.model_dump(),
                "command": [("<prompt>" if arg == task.prompt else arg) for arg in argv[1:]],
                "sandboxed": ctx.sandboxed,
            }
        )
        if self.environ.get(KEEP_HOME_ENV):
            result.metadata["agent_home"] = str(ctx.home)
        if parsed.llm_calls is not None:
            result.metadata["llm_calls"] = parsed.llm_calls
        if channel:
            result.metadata["specialist_channel"] = channel
        result.metadata.update(parsed.metadata)
        return result

    def _result(self, parsed: Parsed, output: AgentOutput, limit: float) -> AgentResult:
        reported = parsed.usage if parsed.usage.total > 0 else None
        result = AgentResult(
            reported_usage=reported,  # the CLI's own figure; the gateway's is the run's
            reported_cost_usd=parsed.cost_usd,
            final_message=parsed.final_message,
            model=self.options.model,
            usage=parsed.usage,
            cost_usd=parsed.cost_usd,
            cost_kind="estimated" if parsed.cost_usd is not None else None,
            turns=parsed.turns,
        )
        command = output.command
        if command.timed_out:
            result.status, result.reason = "timed_out", f"timed out after {limit:g}s"
        elif parsed.status is not None:
            result.status, result.reason = parsed.status, parsed.reason
        elif command.exit_code != 0:
            detail = (
                output.stderr.strip().splitlines() or [command.error or command.stderr.strip() or "no output"]
            )[-1]
            result.status = "failed"
            result.reason = f"{self.name} exited with code {command.exit_code}: {detail}"[:1000]
        if result.status != "completed":
            result.metadata["stderr_tail"] = output.stderr
        return result


def runner_path(runner: CommandRunner, cwd: Path) -> str:
    """The PATH the runner gives its commands (the scenario's tools first), for the launcher."""
    environment = getattr(runner, "environment", None)
    if callable(environment):
        return str(environment(cwd).get("PATH", "/usr/bin:/bin"))
    return "/usr/local/bin:/usr/bin:/bin"


def _tail(text: str | None) -> str:
    return (text or "")[-STDERR_TAIL:]
