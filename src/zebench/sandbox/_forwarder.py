"""Inside an agent's sandbox: forward a TCP port of the sandbox's own loopback to the model gateway.

The sandbox has no network, only a private loopback. The gateway's Unix socket is bound into it
(read-only) and this forwarder listens on ``127.0.0.1:PORT`` there, passing each connection's
bytes both ways. Nothing else is reachable: no other port listens, and there is no route out.

Like ``_session_server.py`` this runs on the harness's Python with ``-I -S`` and imports only
modules built into the interpreter (``_socket``, ``_thread``). It is used two ways:

* the session server ``exec``s this source and calls :func:`start` before it reports ready, so
  the port listens before the agent's first command runs;
* a command run in a sandbox of its own runs ``python -I -S -c <this source> PORT SOCKET --
  ARGV...``: the forwarder starts, then the command replaces this process; the forwarder ends with
  the sandbox when the command does.
"""

import _socket
import _thread
import os
import sys

CHUNK = 65536


def _pump(source, target, done):
    """Copy ``source`` to ``target`` until EOF, then half-close ``target``."""
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    try:  # noqa: SIM105 (contextlib is one more import at start-up)
        target.shutdown(_socket.SHUT_WR)
    except OSError:
        pass
    with done[0]:
        done[1] += 1
        last = done[1] == 2
    if last:  # the second direction finished: nothing more will pass
        source.close()
        target.close()


def _serve(listener, path):
    while True:
        try:
            fd, _addr = listener._accept()
        except OSError:
            continue
        client = _socket.socket(fileno=fd)
        gateway = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            gateway.connect(path)
        except OSError:
            client.close()
            gateway.close()
            continue
        done = [_thread.allocate_lock(), 0]
        _thread.start_new_thread(_pump, (client, gateway, done))
        _thread.start_new_thread(_pump, (gateway, client, done))


def start(port, path):
    """Listen on 127.0.0.1:``port`` now, serve in a child process; returns the child's pid."""
    listener = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    pid = os.fork()
    if pid:
        listener.close()
        return pid
    try:
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):  # never hold the command's output pipes open
            os.dup2(null, fd)
        keep = listener.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, 65536)
        _serve(listener, path)
    finally:
        os._exit(0)


def main():
    port, path, marker, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    if marker != "--" or not argv:
        raise SystemExit("usage: _forwarder.py PORT SOCKET -- ARGV...")
    start(port, path)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
