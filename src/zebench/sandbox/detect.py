"""Does bubblewrap work here? One probe per process, with the exact flags the runner uses."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from zebench.sandbox.bwrap import SandboxLayout, bwrap_argv

PROBE_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of the probe: ``ok`` and, when not, a one-line reason a user can act on."""

    ok: bool
    reason: str
    bwrap: str | None = None


_PROBE_LOCK = threading.Lock()  # one probe at a time: a second caller waits for the first's answer


def probe_bwrap(bwrap: str | None = None) -> ProbeResult:
    """Run ``true`` and a workspace write in a real sandbox once; cached for the process.

    Cached because the answer depends on the host (binary installed, user namespaces allowed), not
    on the run; a failed probe costs one short subprocess.
    """
    with _PROBE_LOCK:
        return _probe(bwrap)


def start_probe() -> None:
    """Start :func:`probe_bwrap` on a background thread, to be read later at no wait.

    The probe mostly waits for its sandbox to start and exit, so a CLI that starts it first and
    then imports what it needs (SQLAlchemy, the runner) hides it from its start-up.
    """
    threading.Thread(target=probe_bwrap, name="bwrap-probe", daemon=True).start()


@functools.cache
def _probe(bwrap: str | None) -> ProbeResult:
    path = bwrap or shutil.which("bwrap")
    if path is None:
        return ProbeResult(False, "bubblewrap (bwrap) is not installed; apt-get install bubblewrap")
    layout = SandboxLayout.detect(path)
    with tempfile.TemporaryDirectory(prefix="zebench-probe-") as tmp:
        work = Path(tmp)
        argv = bwrap_argv(
            ["/bin/sh", "-c", "echo ok > probe && id -u"], writable=work, cwd=work, layout=layout
        )
        try:
            proc = subprocess.run(
                argv,
                capture_output=True,
                timeout=PROBE_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return ProbeResult(False, f"bwrap could not start: {exc}", path)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            why = detail[-1] if detail else f"exit code {proc.returncode}"
            return ProbeResult(False, f"bwrap does not work here: {why}", path)
        if not (work / "probe").is_file():
            return ProbeResult(False, "bwrap ran but the workspace bind is not writable", path)
    return ProbeResult(True, f"bwrap works ({path}, uid {proc.stdout.decode().strip()} inside)", path)


def running_in_ci() -> bool:
    """CI=true: sandbox tests must fail rather than skip when bubblewrap does not work."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
