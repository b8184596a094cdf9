"""Run one shell command with a timeout that kills its whole process group."""

from __future__ import annotations

import copy
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from zebench.commands.capture import CappedReader
from zebench.commands.environment import safe_environment
from zebench.results.models import CommandKind, CommandResult

DEFAULT_OUTPUT_CAP = 64 * 1024  # bytes kept per stream; the head and the tail survive
# A test command's output is read test by test (zebench.grading): a large suite's per-test lines
# (more-itertools' -rA summary is ~100 KB) outgrow 64 KiB. Kept below the results API's limit of
# 1,000,000 characters per stream.
TEST_OUTPUT_CAP = 960_000


class CommandRunner(Protocol):
    """Anything that can run a shell command in a folder and report a :class:`CommandResult`."""

    def run(
        self,
        command: str,
        cwd: Path,
        *,
        name: str | None = None,
        kind: CommandKind = "custom",
        timeout_s: float = 600.0,
        env: Mapping[str, str] | None = None,
        output_cap: int = DEFAULT_OUTPUT_CAP,
        network: bool | None = None,
    ) -> CommandResult: ...


def runner_hook(runner: CommandRunner, name: str, *args: object, **kwargs: object) -> None:
    """Call a runner's optional lifecycle hook (``prepare_next``, ``next_phase``, ``close``; see
    :class:`LocalCommandRunner`) if it has one: plug-in runners implementing only ``run`` work too."""
    method = getattr(runner, name, None)
    if callable(method):
        method(*args, **kwargs)


CANCEL_POLL_S = 0.1  # how often a running command looks at its cancel event


class _PidWatch:
    """A poll object on a pidfd (Linux 5.3+): readable when the process exits."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    def poll(self, timeout_ms: float) -> bool:
        return bool(self._poll.poll(max(0, int(timeout_ms))))

    def unregister(self, fd: int) -> None:
        self._poll.unregister(fd)


def _exit_watch(proc: subprocess.Popen[bytes]) -> _PidWatch | None:
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        return _PidWatch(pidfd_open(proc.pid))
    except OSError:  # an old kernel, or a seccomp profile that forbids it: poll instead
        return None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Launch:
    """How to start one command: an argv prefix (an exec wrapper) and, rarely, a ``preexec_fn``.

    A prefix keeps the spawn cheap (CPython can ``vfork``); a preexec_fn forces a full ``fork``
    of the harness and is only the fallback where no wrapper program exists.
    """

    prefix: tuple[str, ...] = ()
    preexec_fn: Callable[[], None] | None = None


class LocalCommandRunner:
    """Runs commands on the host with a scrubbed environment (no sandbox).

    ``base_env`` is merged over the allow-listed environment, e.g. the scenario's ``env:``. Entries
    of ``base_env`` or of a command's ``env`` named like a credential are dropped unless their name
    is in ``allow_env_names`` (see :func:`safe_environment`). ``path_prefix`` folders (a scenario's
    tool environment) come first on PATH. When ``cancel`` is set while a command runs, its process
    group is killed and ``KeyboardInterrupt`` raised (as Ctrl-C would). Commands always have the
    host's network here; each result says so.
    """

    cancel: threading.Event | None = None  # also the default for subclasses with their own __init__

    def __init__(
        self,
        base_env: Mapping[str, str] | None = None,
        home: str | None = None,
        *,
        allow_env_names: Collection[str] = (),
        cancel: threading.Event | None = None,
        path_prefix: Sequence[str] = (),
    ) -> None:
        self.base_env = dict(base_env or {})
        self.home = home
        self.allow_env_names = frozenset(allow_env_names)
        self.cancel = cancel
        self.path_prefix = tuple(path_prefix)

    def prepare_next(self, cwd: Path, *, commands: int | None = None) -> None:
        """Get ready for the next phase of a run (sandboxing runners start its sandbox early).

        ``commands``: how many commands that phase will run, when the caller knows for sure.
        """
        return None

    def next_phase(self) -> None:
        """Start a new phase: nothing of the previous phase's commands may carry over."""
        return None

    def close(self) -> None:
        """Release what the runner holds (sandbox sessions); it may still run one-off commands."""
        return None

    def attach_gateway(self, unix_socket: Path, host_url: str) -> str:
        """Let this phase's commands reach the run's model gateway; returns its URL as they see it.

        On the host they reach its TCP port directly (and everything else besides); sandboxing
        runners forward it into the sandbox instead.
        """
        return host_url

    def with_cancel(self, cancel: threading.Event) -> LocalCommandRunner:
        """A copy of this runner whose commands stop when ``cancel`` is set; this one is unchanged."""
        clone = copy.copy(self)
        clone.cancel = cancel
        return clone

    def argv(self, command: str, cwd: Path, network: bool = True) -> list[str]:
        """The argv that runs ``command``; sandboxing runners wrap this (and honour ``network``)."""
        return ["/bin/sh", "-c", command]

    def network_for(self, requested: bool | None) -> bool:
        """Whether a command asking for ``requested`` network gets it: on the host, always."""
        return True

    def environment(self, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The complete environment of one command: the allow-list, ``base_env``, then ``env``."""
        merged = {**self.base_env, **(env or {})}
        full = safe_environment(
            merged, home=self.home or str(cwd), strip_secret_names=True, allow_names=self.allow_env_names
        )
        if "PATH" not in merged:  # an explicit PATH is the scenario's to set
            full["PATH"] = os.pathsep.join([*self.path_prefix, self.visible_path(full["PATH"])])
        return full

    def visible_path(self, host_path: str) -> str:
        """The host's PATH as commands should see it; sandboxing runners drop what is not inside."""
        return host_path

    @contextmanager
    def launch(self, cwd: Path, timeout_s: float) -> Iterator[Launch]:
        """Set up around one command; yields how to start it (see :class:`Launch`).

        Sandboxing runners override this to apply resource limits in the child and to create and
        remove per-command cgroups; the local runner needs nothing.
        """
        yield Launch()

    def run(
        self,
        command: str,
        cwd: Path,
        *,
        name: str | None = None,
        kind: CommandKind = "custom",
        timeout_s: float = 600.0,
        env: Mapping[str, str] | None = None,
        output_cap: int = DEFAULT_OUTPUT_CAP,
        network: bool | None = None,
    ) -> CommandResult:
        """Run ``command`` in ``cwd``; ``network`` None means the runner's default for commands."""
        started = time.monotonic()
        label = name or kind
        has_network = self.network_for(network)
        try:
            with self.launch(cwd, timeout_s) as launch:
                result = self._run_started(
                    [*launch.prefix, *self.argv(command, cwd, has_network)],
                    command,
                    cwd,
                    label,
                    kind,
                    timeout_s,
                    self.environment(cwd, env),
                    output_cap,
                    launch.preexec_fn,
                    started,
                )
        except OSError as exc:
            result = CommandResult(name=label, kind=kind, command=command, error=f"could not start: {exc}")
        result.network = has_network
        return result

    def _wait(self, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
        """Wait for ``proc``; False on timeout. Raises KeyboardInterrupt once ``cancel`` is set."""
        deadline = time.monotonic() + timeout_s
        watch = _exit_watch(proc)
        try:
            while True:
                if self.cancel is not None and self.cancel.is_set():
                    raise KeyboardInterrupt  # the caller kills the process group
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                step = remaining if self.cancel is None else min(remaining, CANCEL_POLL_S)
                if watch is not None:
                    # Woken the moment the child exits; Popen.wait(timeout) polls with sleeps
                    # of up to 50 ms, which was a third of a short validation command's time.
                    if not watch.poll(step * 1000):
                        continue
                    proc.wait()
                    return True
                try:
                    proc.wait(timeout=step)
                except subprocess.TimeoutExpired:
                    continue
                return True
        finally:
            if watch is not None:
                watch.unregister(watch.fd)
                os.close(watch.fd)

    def _run_started(
        self,
        argv: list[str],
        command: str,
        cwd: Path,
        label: str,
        kind: CommandKind,
        timeout_s: float,
        full_env: dict[str, str],
        output_cap: int,
        preexec_fn: Callable[[], None] | None,
        started: float,
    ) -> CommandResult:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=str(cwd),
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout kills every descendant
                preexec_fn=preexec_fn,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return CommandResult(name=label, kind=kind, command=command, error=f"could not start: {exc}")
        assert proc.stdout is not None and proc.stderr is not None
        out = CappedReader(proc.stdout, output_cap)
        err = CappedReader(proc.stderr, output_cap)
        out.start()
        err.start()
        timed_out = False
        try:
            timed_out = not self._wait(proc, timeout_s)
            if timed_out:
                _kill_group(proc)
                proc.wait()
        except BaseException:
            # KeyboardInterrupt and friends: never leave the command running behind us.
            _kill_group(proc)
            proc.wait()
            raise
        finally:
            # The group may hold the pipes open after the leader exits (e.g. `sleep 100 &`).
            out.join(timeout=2)
            err.join(timeout=2)
            if out.is_alive() or err.is_alive():
                _kill_group(proc)
                out.join()
                err.join()
        duration_ms = int((time.monotonic() - started) * 1000)
        exit_code = None if timed_out else proc.returncode
        return CommandResult(
            name=label,
            kind=kind,
            command=command,
            exit_code=exit_code,
            stdout=out.text(),
            stderr=err.text(),
            duration_ms=duration_ms,
            timed_out=timed_out,
            truncated=out.truncated or err.truncated,
            error=f"timed out after {timeout_s:g}s" if timed_out else None,
        )
