"""LocalCommandRunner and a cancel event: a cancelled batch stops running commands promptly."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from zebench.commands import LocalCommandRunner


def test_cancel_kills_the_command_group_and_raises(tmp_path: Path) -> None:
    cancel = threading.Event()
    runner = LocalCommandRunner().with_cancel(cancel)
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run("sleep 30 & echo $! > pid; sleep 30", tmp_path)
    assert time.monotonic() - started < 5
    pid = int((tmp_path / "pid").read_text())
    time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_with_cancel_leaves_the_original_alone_and_commands_still_finish(tmp_path: Path) -> None:
    base = LocalCommandRunner(base_env={"X": "1"})
    cancel = threading.Event()
    runner = base.with_cancel(cancel)
    assert base.cancel is None and runner.cancel is cancel and runner.base_env == {"X": "1"}
    result = runner.run("echo $X", tmp_path)
    assert result.ok and result.stdout.strip() == "1"
    slow = runner.run("sleep 5", tmp_path, timeout_s=0.3)
    assert slow.timed_out and slow.error == "timed out after 0.3s"
