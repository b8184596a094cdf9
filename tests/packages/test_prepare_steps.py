"""Preparing a scenario reports each real step as it happens (issue 17: no silent waits): the
download, the unpacking, the environment builds; a cache hit reports nothing. And ``zebench
fetch`` shows those steps: one line each in a log, a live display in a terminal."""

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

from pkgkit import demo_yaml, sdist_sha256, write_scenario
from registries import LocalRegistries

from zebench.packages import cache_dir, prepare_scenario
from zebench.scenarios.loader import load_scenario_dir

ENVIRONMENT = "environment: {python: ['zbtool==1.0'], npm: ['demo-npm@2.0.0']}\n"
STEPS = [
    "download demo-lib==1.0.0 from PyPI",
    "unpack demo-lib==1.0.0 and apply its setup patch",
    "create a virtualenv for zbtool==1.0",
    "pip install zbtool==1.0",
    "npm install demo-npm@2.0.0",
]


class Recorder:
    """A StepReporter that notes each step's start and end, and what the cache held at each."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []

    def _archives(self) -> int:
        return len(list(cache_dir().rglob("demo-lib-1.0.0.tar.gz")))

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.events.append(("start", label, self._archives()))
        yield
        self.events.append(("end", label, self._archives()))


def test_each_download_and_build_is_reported_as_it_happens(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    scenario = load_scenario_dir(
        write_scenario(tmp_path, demo_yaml(sdist_sha256(registries), ENVIRONMENT)), "pkgs"
    )
    recorder = Recorder()
    prepare_scenario(scenario, recorder)
    assert [label for kind, label, _ in recorder.events if kind == "start"] == STEPS
    # Steps nest nothing and are reported while they run: the archive appears during the download.
    assert recorder.events[:2] == [("start", STEPS[0], 0), ("end", STEPS[0], 1)]
    assert [kind for kind, _, _ in recorder.events] == ["start", "end"] * len(STEPS)

    again = Recorder()
    prepare_scenario(scenario, again)  # all cached: nothing to wait for, nothing reported
    assert again.events == []


def _env(registries: LocalRegistries, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "PIP_"))}
    env.update(registries.env(tmp_path / "npm-cache"))
    env.update(ZEBENCH_CACHE_DIR=str(tmp_path / "cli-cache"), COLUMNS="120")
    return env


def test_fetch_prints_one_line_per_step_in_a_log(registries: LocalRegistries, tmp_path: Path) -> None:
    write_scenario(tmp_path / "suites", demo_yaml(sdist_sha256(registries), ENVIRONMENT))
    proc = subprocess.run(
        [sys.executable, "-m", "zebench", "fetch", "pkgs", "--suites-dir", str(tmp_path / "suites")],
        cwd=tmp_path, env=_env(registries, tmp_path), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert [line for line in lines if line.endswith(" …")] == [f"pkgs/demo: {step} …" for step in STEPS]
    assert "\x1b[" not in proc.stderr  # a log gets plain lines, no cursor movement
    assert "ready" in proc.stdout


def test_fetch_shows_a_live_display_in_a_terminal(registries: LocalRegistries, tmp_path: Path) -> None:
    write_scenario(tmp_path / "suites", demo_yaml(sdist_sha256(registries), ENVIRONMENT))
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a 120-column terminal
    proc = subprocess.Popen(
        [sys.executable, "-m", "zebench", "fetch", "pkgs", "--suites-dir", str(tmp_path / "suites")],
        cwd=tmp_path, env={**_env(registries, tmp_path), "TERM": "xterm-256color"},
        stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other end closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in screen and "━" in screen  # Rich's live display, with its bar
    assert "pkgs/demo" in screen and "download demo-lib==1.0.0 from PyPI" in screen
    assert "pip install zbtool==1.0" in screen
    assert "from PyPI …" not in screen  # not the log's lines
