"""Where bubblewrap cannot run, ``--sandbox auto`` says so once per batch, in one clean line."""

from __future__ import annotations

import os
from pathlib import Path

from cli_helpers import CliRun


def test_fallback_is_one_console_line_per_batch(zb: CliRun, tmp_path: Path) -> None:
    # A bwrap that fails like one on a host without unprivileged user namespaces.
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    bwrap = fake_bin / "bwrap"
    bwrap.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    bwrap.chmod(0o755)
    path = f"{fake_bin}{os.pathsep}{os.environ['PATH']}"
    proc = zb(
        "bench", "examples", "fix-failing-tests", "--agent", "oracle", "--iterations", "3", "--parallel", "2",
        PATH=path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    notices = [line for line in proc.stderr.splitlines() if "without a sandbox" in line]
    assert notices == [
        "warning: commands will run without a sandbox: bwrap does not work here: "
        "bwrap: No permissions to create new namespace (pass --sandbox none to silence this)"
    ]
    assert "Warning:" not in proc.stderr and ".py:" not in proc.stderr  # no Python warning format


def test_sandbox_none_prints_no_notice(zb: CliRun) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", "--sandbox", "none", check=0)
    assert "sandbox" not in proc.stderr
