"""No silent waits (issue 17): ``zebench check`` reports its proofs and repeats, ``zebench bench``
its warmups and runs, as they happen: one line each in a log; a live display in a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli_helpers import CliRun

from zebench.runner.proof import prove_scenario
from zebench.scenarios import load_scenario

PROOF_STEPS = [
    "oracle run (L1)",
    "echo run (L1)",
    "validation on the pristine fixture, repeat 1 of 3",
    "validation on the pristine fixture, repeat 2 of 3",
    "validation on the pristine fixture, repeat 3 of 3",
]


class Recorder:
    def __init__(self) -> None:
        self.labels: list[str] = []
        self.open = 0

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        assert self.open == 0  # one step at a time, each closed before the next
        self.labels.append(label)
        self.open += 1
        try:
            yield
        finally:
            self.open -= 1


def test_prove_scenario_reports_each_proof_and_repeat(tmp_path: Path) -> None:
    recorder = Recorder()
    proof = prove_scenario(load_scenario("examples", "fix-failing-tests"), tmp_path, steps=recorder)
    assert proof.ok and recorder.labels == PROOF_STEPS and recorder.open == 0


def test_check_prints_a_line_per_step_in_a_log(zb: CliRun) -> None:
    proc = zb("check", "examples", "fix-failing-tests", check=0)
    steps = [line for line in proc.stderr.splitlines() if line.endswith(" …")]
    assert steps == [f"examples/fix-failing-tests: {label} …" for label in PROOF_STEPS]
    assert "1 of 1 scenario(s) proven" in proc.stdout
    assert zb("check", "examples", "fix-failing-tests", "--json", check=0).stderr == ""  # --json: quiet


def test_bench_prints_warmups_and_runs_as_they_happen_in_a_log(zb: CliRun) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "node-fix-tests", "--agent", "oracle", "--parallel", "1",
              check=0)  # fmt: skip
    lines = proc.stderr.splitlines()
    for scenario in ("fix-failing-tests", "node-fix-tests"):
        start = lines.index(f"warmup examples/{scenario}: validation on the pristine fixture …")
        done = next(
            i for i, line in enumerate(lines) if line.startswith(f"warmup examples/{scenario}: control")
        )
        assert start < done
        began = lines.index(f"run examples/{scenario} L1 oracle …")
        ended = next(
            i for i, line in enumerate(lines) if f"examples/{scenario} L1 oracle: PASS 1.00 (run_" in line
        )
        assert done < began < ended
    assert sum(line.startswith(("[1/2]", "[2/2]")) for line in lines) == 2


def test_check_shows_a_live_display_in_a_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "zebench", "check", "examples", "fix-failing-tests", "--repeats", "6"],
        cwd=tmp_path, env={**env, "TERM": "xterm-256color"}, stdin=subprocess.DEVNULL, stdout=follower,
        stderr=follower,
    )  # fmt: skip
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in screen and "⠋" in screen  # Rich's live display: a spinner, redrawn
    assert "validation on the pristine fixture, repeat" in screen
    assert "repeat 1 of 6 …" not in screen  # the log's lines are for logs
    assert "1 of 1 scenario(s) proven" in screen
