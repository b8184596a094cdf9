"""Ctrl-C during a run stores it as interrupted and exits cleanly, without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_helpers import CliRun, as_json

SLOW_SCENARIO = """\
name: Slow validation
description: Validation sleeps long enough to be interrupted.
validation_commands:
  - {name: slow, kind: test, command: "sleep 60 & sleep 60; wait"}
evaluators:
  - {name: test, weight: 1}
"""


def _slow_suite(root: Path) -> None:
    scenario = root / "suites" / "slow" / "scenarios" / "sleepy"
    (scenario / "prompts").mkdir(parents=True)
    (scenario / "repo-fixture").mkdir()
    (scenario / "repo-fixture" / "README.txt").write_text("nothing to see\n")
    (scenario / "prompts" / "L1-basic.md").write_text("Wait.\n")
    (scenario / "scenario.yaml").write_text(SLOW_SCENARIO)


def test_ctrl_c_stores_the_run_as_interrupted(zb: CliRun, tmp_path: Path) -> None:
    _slow_suite(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEBENCH_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zebench",
            "bench",
            "slow",
            "sleepy",
            "--suites-dir",
            "suites",
            "--skip-warmup",
            "--batch-id",
            "b-int",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until the run is stored as running and its validation command has started.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = zb("runs", "--json", "--batch", "b-int")
        if listed.returncode == 0 and as_json(listed)["items"]:
            break
        time.sleep(0.3)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    assert "interrupted" in err
    runs = as_json(zb("runs", "--json", "--batch", "b-int", check=0))["items"]
    assert len(runs) == 1
    assert runs[0]["status"] == "interrupted" and "Ctrl-C" in runs[0]["reason"]
    # The validation's whole process group was killed: no stray sleeps from this workspace remain.
    stray = subprocess.run(["pgrep", "-f", "sleep 60 & sleep 60"], capture_output=True, text=True)
    assert stray.stdout.strip() == ""
