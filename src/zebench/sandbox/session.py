"""A sandbox session: one bubblewrap sandbox, started once, that runs many commands.

Setting up bubblewrap's namespaces, binds and cgroups costs 10-20 ms per command. A session pays
it once: a small command server (``_session_server.py``, standard library only) runs inside the
sandbox and starts each command there, with the command's stdout and stderr pipes handed over a
Unix socket. Each command still gets its own process group, working folder, environment, timeout
and output caps, and everything it leaves running is killed when it ends. What a session shares
between its commands is the sandbox's private /tmp and HOME, the pids and memory cgroups, and the
network setting; a command wanting another network setting runs in a sandbox of its own.

Sessions start asynchronously (the server gets ready while the harness works on), so a session
started ahead of a phase costs that phase nothing. If a session cannot start, the caller falls
back to one sandbox per command; a command is never run twice.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from zebench._threads import background_thread
from zebench.commands.capture import CappedReader
from zebench.results.models import CommandKind, CommandResult
from zebench.sandbox.bwrap import PhaseMounts, SandboxLayout, bwrap_argv
from zebench.sandbox.gateway_link import session_args
from zebench.sandbox.limits import CgroupSet, Limits, exec_wrapper, make_preexec, rlimit_values

SERVER_SOURCE = (Path(__file__).with_name("_session_server.py")).read_text(encoding="utf-8")
READY_TIMEOUT_S = 30.0
KILL_GRACE_S = 5.0
POLL_S = 0.1
MAX_MESSAGE = 1 << 20


class SessionUnavailable(Exception):
    """The session could not take the command (it never started, or it is gone); run it elsewhere."""


class SandboxSession:
    """One long-lived sandbox with ``root`` writable; :meth:`run` executes commands inside it."""

    def __init__(
        self,
        root: Path,
        *,
        layout: SandboxLayout,
        limits: Limits,
        network: bool,
        use_cgroups: bool,
        gateway_socket: Path | None = None,
        mounts: PhaseMounts | None = None,
        stores: Path | None = None,
    ) -> None:
        self.root = Path(os.path.realpath(root))
        self.network = network
        self.gateway_socket = gateway_socket  # the model gateway, forwarded inside (agent phase only)
        self.mounts = mounts
        self._lock = threading.Lock()
        self._ready = False
        self._dead = False
        self._ids = 0
        self._cgroups = CgroupSet.create(limits) if use_cgroups else CgroupSet()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the finalizer, with the session)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = parent
        inner = [sys.executable, "-I", "-S", "-c", SERVER_SOURCE, str(child.fileno())]
        if gateway_socket is not None:
            inner += session_args()
        argv = bwrap_argv(
            inner,
            writable=self.root,
            cwd=self.root,
            layout=layout,
            network=network,
            gateway_socket=None if gateway_socket is None else str(gateway_socket),
            mounts=mounts,
            stores=None if stores is None else str(stores),
        )
        rlimits = rlimit_values(limits)
        wrapper = exec_wrapper(rlimits, self._cgroups.directories)
        preexec = None if wrapper else make_preexec(rlimits, self._cgroups.open_proc_fds())

        def spawn() -> subprocess.Popen[bytes] | None:
            try:
                return subprocess.Popen(
                    [*(wrapper or []), *argv],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=self._stderr,
                    pass_fds=(child.fileno(),),
                    start_new_session=True,  # the session's own process group: one kill ends it all
                    env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                    preexec_fn=preexec,
                )
            except OSError:
                return None
            finally:
                child.close()

        self._spawned = _spawner().submit(spawn)
        # A session nobody closed still ends when it is collected: no sandbox outlives its runner.
        self._finalizer = weakref.finalize(
            self, _shutdown, self._sock, self._spawned, self._cgroups, self._stderr
        )

    def covers(self, cwd: Path) -> bool:
        """Whether a command in ``cwd`` can run here (``cwd`` inside the writable root)."""
        return Path(os.path.realpath(cwd)).is_relative_to(self.root)

    @property
    def alive(self) -> bool:
        return not self._dead

    def close(self, *, wait: bool = True) -> None:
        """End the session: its server, every process in it and its cgroups.

        With ``wait=False`` the socket closes now (the server then ends everything) and the rest
        (waiting for bubblewrap, removing the cgroups) happens on a background thread.
        """
        self._dead = True
        if wait:
            self._finalizer()
        elif self._finalizer.alive:
            self._sock.close()
            background_thread("sandbox-closer").submit(self._finalizer)

    def _wait_ready(self) -> None:
        if self._ready:
            return
        if self._dead or self._spawned.result() is None:
            self._dead = True
            raise SessionUnavailable("the sandbox session is not running")
        ready, _, _ = select.select([self._sock], [], [], READY_TIMEOUT_S)
        message = self._sock.recv(MAX_MESSAGE) if ready else b""
        if not message or marshal.loads(message).get("op") != "ready":
            why = self.failure()
            self.close()
            raise SessionUnavailable(f"the sandbox session did not start: {why}")
        self._ready = True

    def failure(self) -> str:
        """The server's last words (read before :meth:`close`), for messages."""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        except ValueError:  # already closed
            return "no output"
        return lines[-1] if lines else "no output"

    def run(
        self,
        command: list[str],
        cwd: Path,
        *,
        label: str,
        kind: CommandKind,
        text: str,
        timeout_s: float,
        env: Mapping[str, str],
        output_cap: int,
        cancel: threading.Event | None,
    ) -> CommandResult:
        """Run ``command`` (an argv) in the session; raises SessionUnavailable if it never ran."""
        with self._lock:
            self._wait_ready()
            started = time.monotonic()
            self._ids += 1
            ident = self._ids
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            request = {"op": "run", "id": ident, "argv": command, "cwd": str(cwd), "env": dict(env)}
            try:
                socket.send_fds(self._sock, [marshal.dumps(request)], [out_w, err_w])
            except OSError as exc:
                for fd in (out_r, out_w, err_r, err_w):
                    os.close(fd)
                self.close()
                raise SessionUnavailable(f"the sandbox session is gone: {exc}") from None
            os.close(out_w)
            os.close(err_w)
            out = CappedReader(os.fdopen(out_r, "rb", buffering=0), output_cap)
            err = CappedReader(os.fdopen(err_r, "rb", buffering=0), output_cap)
            out.start()
            err.start()
            try:
                code, timed_out, problem = self._await_exit(ident, timeout_s, cancel)
            finally:
                for reader in (out, err):
                    reader.join(timeout=2)
                if out.is_alive() or err.is_alive():  # something still holds the pipes: end it all
                    self.close()
                    out.join()
                    err.join()
        return CommandResult(
            name=label,
            kind=kind,
            command=text,
            exit_code=None if timed_out or problem else code,
            stdout=out.text(),
            stderr=err.text(),
            duration_ms=int((time.monotonic() - started) * 1000),
            timed_out=timed_out,
            truncated=out.truncated or err.truncated,
            error=f"timed out after {timeout_s:g}s" if timed_out else problem,
        )

    def _await_exit(
        self, ident: int, timeout_s: float, cancel: threading.Event | None
    ) -> tuple[int | None, bool, str | None]:
        """(exit code, timed out, problem): waits for the server's answer, killing on timeout."""
        deadline = time.monotonic() + timeout_s
        killed_at: float | None = None
        timed_out = False
        while True:
            now = time.monotonic()
            if killed_at is None and cancel is not None and cancel.is_set():
                self._kill(ident)
                self._drain(ident)
                raise KeyboardInterrupt
            if killed_at is None and now >= deadline:
                timed_out = True
                killed_at = now
                self._kill(ident)
            if killed_at is not None and now - killed_at > KILL_GRACE_S:
                self.close()  # the server does not answer: the whole sandbox goes
                return None, timed_out, "the sandbox session stopped answering"
            wait = min(POLL_S, max(0.0, deadline - now)) if killed_at is None else POLL_S
            ready, _, _ = select.select([self._sock], [], [], wait)
            if not ready:
                continue
            message = self._sock.recv(MAX_MESSAGE)
            if not message:
                why = self.failure()
                self.close()
                return None, timed_out, f"the sandbox session ended while the command ran: {why}"
            answer = marshal.loads(message)
            if answer.get("id") != ident:
                continue
            return int(answer["code"]), timed_out, None

    def _kill(self, ident: int) -> None:
        try:
            self._sock.send(marshal.dumps({"op": "kill", "id": ident}))
        except OSError:
            self.close()

    def _drain(self, ident: int) -> None:
        """After a kill for Ctrl-C: wait briefly for the answer so the next command starts clean."""
        ready, _, _ = select.select([self._sock], [], [], KILL_GRACE_S)
        message = self._sock.recv(MAX_MESSAGE) if ready else b""
        if not message or marshal.loads(message).get("id") != ident:
            self.close()


def _spawner() -> ThreadPoolExecutor:
    """The one thread that starts every session's sandbox.

    bubblewrap's ``--die-with-parent`` is PR_SET_PDEATHSIG, which fires when the *thread* that
    started it ends, not the process: a session started from a short-lived worker thread would be
    killed with that thread. This thread lives as long as the process.
    """
    return background_thread("sandbox-spawner")


def _shutdown(
    sock: socket.socket, spawned: Future[subprocess.Popen[bytes] | None], cgroups: CgroupSet, stderr: object
) -> None:
    sock.close()  # the server exits on EOF, and bubblewrap with it
    proc = spawned.result()
    if proc is not None:
        try:
            proc.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    cgroups.close()  # kills anything that escaped and removes the groups
    close = getattr(stderr, "close", None)
    if callable(close):
        close()
