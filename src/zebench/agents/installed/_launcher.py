"""Starts an agent CLI inside its sandbox, with the model gateway on the sandbox's own loopback.

Run by the harness's Python as ``python -I -S -c <this source> SPEC``, inside the sandbox (zebench
itself may not be importable there), so it uses the standard library only. SPEC is a JSON file:

* ``argv``, ``env`` (added to the command's environment), ``cwd``;
* ``stdout`` and ``stderr``: files the agent's output goes to (no pipe to fill, no cap to hit);
* ``forwards``: ``[{"port": P, "socket": PATH}]``: listen on 127.0.0.1:P and relay every
  connection to the Unix socket PATH (the gateway's, bound in). The sandbox has no network: this
  relay is the only way out, and it leads only to the gateway.

It exits with the agent's exit code (128 + signal when the agent was killed).
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading

CHUNK = 65536


def _pump(src, dst):
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            with contextlib.suppress(OSError):
                sock.shutdown(how)


def _relay(client, path):
    try:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(path)
    except OSError as exc:
        sys.stderr.write(f"zebench launcher: the gateway socket {path} refused: {exc}\n")
        client.close()
        return
    back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    back.start()
    _pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def _serve(listener, path):
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=_relay, args=(client, path), daemon=True).start()


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    for forward in spec.get("forwards", []):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", int(forward["port"])))
        listener.listen(64)
        threading.Thread(target=_serve, args=(listener, forward["socket"]), daemon=True).start()
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    with open(spec["stdout"], "wb") as out, open(spec["stderr"], "wb") as err:
        try:
            proc = subprocess.Popen(
                spec["argv"], cwd=spec.get("cwd"), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
        except OSError as exc:
            sys.stderr.write(f"zebench launcher: cannot start {spec['argv'][0]}: {exc}\n")
            return 127
        code = proc.wait()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
