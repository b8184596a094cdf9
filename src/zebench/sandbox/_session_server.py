"""The command server that runs inside a sandbox session (see ``zebench.sandbox.session``).

This file is executed inside bubblewrap with ``python -I -S -c <this source> FD``: the harness's
Python is visible there but zebench may not be importable (an editable install points outside the
sandbox). It imports only modules built into the interpreter (``_socket``, ``marshal``, ``select``),
because it starts once per sandbox and ``socket``, ``json``, ``signal`` and ``subprocess`` would
triple its start-up time.

Protocol, over the SOCK_SEQPACKET socket on descriptor FD, one ``marshal``-encoded dict per
message (both ends run the same interpreter); the server first sends ``{"op": "ready"}``:

* ``{"op": "run", "id", "argv", "cwd", "env"}`` with two descriptors attached (the write ends of
  the command's stdout and stderr pipes): start ``argv`` in a session and process group of its own,
  stdin from /dev/null;
* ``{"op": "kill", "id"}``: SIGKILL that command's process group;
* the server answers ``{"op": "exit", "id", "code"}`` (128 + the signal for a killed command).
  After each command every other process of the sandbox is killed, so nothing a command leaves
  behind outlives it.

When the socket closes, the server exits, and bubblewrap with it.

With ``FD PORT SOCKET FORWARDER_SOURCE`` the server first starts the model gateway's forwarder
(``_forwarder.py``: 127.0.0.1:PORT inside to the gateway's Unix socket SOCKET), before it reports
ready; the forwarder is spared by the sweeps and lives as long as the sandbox.
"""

import _socket
import marshal
import os
import select
import sys

SIGKILL = 9  # the numbers, not the signal module: it would import enum at start-up
MAX_MESSAGE = 1 << 20
FD_BYTES = 4  # a C int per passed descriptor


def _send(sock, message):
    sock.send(marshal.dumps(message))


def _receive(sock):
    """(message or None at EOF, received descriptors)."""
    data, ancillary, _flags, _addr = sock.recvmsg(MAX_MESSAGE, _socket.CMSG_SPACE(2 * FD_BYTES))
    fds: list = []
    for level, kind, payload in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % FD_BYTES
            fds.extend(
                int.from_bytes(payload[i : i + FD_BYTES], sys.byteorder) for i in range(0, usable, FD_BYTES)
            )
    return (marshal.loads(data) if data else None), fds


def _kill(pid, group=False):
    try:  # noqa: SIM105 (contextlib is one more import at start-up)
        (os.killpg if group else os.kill)(pid, SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _sweep(me, keep=()):
    """SIGKILL every process of this pid namespace except this server, pid 1 (bwrap's init) and ``keep``."""
    spared = (1, me, *keep)
    for _ in range(50):
        others = [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) not in spared]
        if not others:
            return
        for pid in others:
            _kill(pid)
        try:  # reap any that were our own children
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass


def _spawn(request, out_fd, err_fd):
    pid = os.fork()
    if pid:
        return pid
    try:  # the child: its own session, the requested folder and pipes, then exec
        os.setsid()
        os.chdir(request["cwd"])
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        os.closerange(3, 65536)
        os.execve(request["argv"][0], request["argv"], request["env"])
    except BaseException as exc:
        os.write(2, f"could not start: {exc}\n".encode())
    os._exit(127)


def _run(sock, request, fds, keep=()):
    ident = request.get("id")
    pid = _spawn(request, fds[0], fds[1])
    for fd in fds:
        os.close(fd)  # only the command holds the write ends now: EOF when it and its children end
    watch = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([sock.fileno(), watch], [], [])
            if watch in ready:
                break
            message, extra = _receive(sock)
            for fd in extra:
                os.close(fd)
            if message is None:  # the harness went away: stop everything
                _kill(pid, group=True)
                raise SystemExit(0)
            if message.get("op") == "kill" and message.get("id") == ident:
                _kill(pid, group=True)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(watch)
    _sweep(os.getpid(), keep)
    # 128 + signal, as a shell (and a one-off bubblewrap sandbox) reports a killed command.
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    _send(sock, {"op": "exit", "id": ident, "code": code})


def _start_forwarder(args):
    """Run the forwarder's source and start it; returns its pid (to spare it from the sweeps).

    Its child closes every inherited descriptor, this server's control socket included.
    """
    port, path, source = int(args[0]), args[1], args[2]
    namespace: dict = {"__name__": "zebench_forwarder"}  # zebench's own file, passed by the harness
    exec(compile(source, "_forwarder.py", "exec"), namespace)
    return namespace["start"](port, path)


def main():
    keep: tuple = ()
    if len(sys.argv) >= 5:
        keep = (_start_forwarder(sys.argv[2:5]),)
    sock = _socket.socket(fileno=int(sys.argv[1]))
    _send(sock, {"op": "ready"})
    while True:
        try:
            message, fds = _receive(sock)
        except OSError:
            return
        if message is None:
            return
        if message.get("op") == "run" and len(fds) == 2:
            _run(sock, message, fds, keep)
        else:
            for fd in fds:
                os.close(fd)


if __name__ == "__main__":
    main()
