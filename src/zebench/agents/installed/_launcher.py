"""Starts an agent CLI inside its sandbox, its output going to files in its private HOME.

Run by the harness's Python as ``python -I -S -c <this source> SPEC``, inside the sandbox (zebench
itself may not be importable there), so it uses the standard library only. SPEC is a JSON file:

* ``argv``, ``env`` (added to the command's environment), ``cwd``;
* ``stdout`` and ``stderr``: files the agent's output goes to (no pipe to fill, no cap to hit);

The model gateway is already on the sandbox's loopback (the session server forwards it), and the
environment carries no key but the gateway's per-run placeholder.

It exits with the agent's exit code (128 + signal when the agent was killed).
"""

import json
import os
import subprocess
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
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
