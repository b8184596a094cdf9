"""BwrapCommandRunner on its own: confinement, limits, timeouts and cgroup cleanup."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sandboxkit import make_scenario, require_bwrap

from zebench.sandbox import BwrapCommandRunner, Limits, SandboxLayout, bwrap_argv
from zebench.sandbox.limits import CGROUP_ROOT, CgroupSet

MakeRunner = Callable[..., BwrapCommandRunner]


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    require_bwrap()


@pytest.fixture(params=["one-sandbox-per-command", "session"])
def make_runner(request: pytest.FixtureRequest) -> Iterator[Callable[..., BwrapCommandRunner]]:
    """Both ways of running commands must give the same guarantees."""
    made: list[BwrapCommandRunner] = []

    def make(**kwargs: Any) -> BwrapCommandRunner:
        runner = BwrapCommandRunner(sessions=request.param == "session", **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close(wait=True)


def _leftover_cgroups() -> list[str]:
    # Only this process's groups: other test workers may have commands running right now.
    found: list[str] = []
    for controller in ("pids", "memory"):
        base = CGROUP_ROOT / controller
        if base.is_dir():
            found += [str(p) for p in base.rglob(f"zebench-{os.getpid()}-*")]
    return found


def test_identity_capabilities_and_read_only_system(make_runner: MakeRunner, tmp_path: Path) -> None:
    result = make_runner().run(
        "id -u; grep CapEff /proc/self/status; hostname; touch /usr/x 2>&1; touch /x 2>&1; "
        "ls /root /home; test -e /etc/shadow || echo no-shadow",
        tmp_path,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "65534"
    assert lines[1].split()[1] == "0000000000000000"
    assert lines[2] == "zebench-sandbox"
    assert result.stdout.count("Read-only file system") == 2
    assert "no-shadow" in result.stdout


def test_tmp_and_home_are_private_and_fresh_per_command(tmp_path: Path) -> None:
    runner = BwrapCommandRunner(sessions=False)
    marker = tmp_path.parent / "zebench-host-tmp-marker"
    marker.write_text("host")
    try:
        first = runner.run(f"echo one > /tmp/x; echo one > $HOME/y; ls {marker} 2>&1; echo $HOME", tmp_path)
        second = runner.run("cat /tmp/x $HOME/y 2>&1; true", tmp_path)
    finally:
        marker.unlink()
    assert "No such file" in first.stdout and first.stdout.strip().endswith("/home/sandbox")
    assert second.stdout.count("No such file") == 2


def test_a_session_keeps_tmp_and_home_for_its_phase_only(tmp_path: Path) -> None:
    runner = BwrapCommandRunner(sessions=True)
    marker = tmp_path.parent / "zebench-host-tmp-marker-2"
    marker.write_text("host")
    try:
        first = runner.run(f"echo one > /tmp/x; echo one > $HOME/y; ls {marker} 2>&1; echo $HOME", tmp_path)
        same_phase = runner.run("cat /tmp/x $HOME/y", tmp_path)
        runner.next_phase()
        next_phase = runner.run("cat /tmp/x $HOME/y 2>&1; true", tmp_path)
    finally:
        marker.unlink()
        runner.close(wait=True)
    assert "No such file" in first.stdout and first.stdout.strip().endswith("/home/sandbox")  # not the host's
    assert same_phase.stdout == "one\none\n"
    assert next_phase.stdout.count("No such file") == 2


def test_nothing_a_command_starts_outlives_it(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner()
    started = runner.run(
        "(sleep 60 &) ; nohup sleep 61 >/dev/null 2>&1 & echo started", tmp_path, timeout_s=20
    )
    listing = runner.run("ps -eo args 2>/dev/null || cat /proc/[0-9]*/cmdline | tr '\\0' ' '", tmp_path)
    assert started.stdout.strip() == "started" and started.exit_code == 0
    assert "sleep 6" not in listing.stdout, listing.stdout


def test_output_env_cwd_and_exit_codes(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner(base_env={"GREETING": "hello"})
    (tmp_path / "sub").mkdir()
    result = runner.run(
        "echo $GREETING $EXTRA; pwd; echo oops >&2; exit 3", tmp_path / "sub", env={"EXTRA": "x"}
    )
    assert result.exit_code == 3 and result.stdout == f"hello x\n{(tmp_path / 'sub').resolve()}\n"
    assert result.stderr == "oops\n" and not result.timed_out
    capped = runner.run("head -c 300000 /dev/zero | tr '\\0' a", tmp_path, output_cap=1000)
    assert capped.truncated and len(capped.stdout) < 1200 and capped.exit_code == 0
    killed = runner.run("kill -9 $$", tmp_path)
    assert killed.exit_code == 137  # 128 + SIGKILL, as a shell reports it
    assert runner.run("true", tmp_path).exit_code == 0  # the runner goes on after all of them


def test_process_count_is_limited_by_the_pids_cgroup(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner(limits=Limits(processes=30))
    result = runner.run(
        "n=0; for i in $(seq 1 80); do sleep 3 & n=$((n+1)); done; echo spawned $n", tmp_path, timeout_s=20
    )
    if not (CGROUP_ROOT / "pids").is_dir():
        pytest.skip("no v1 pids cgroup here: RLIMIT_NPROC alone does not bind a root harness")
    assert "Cannot fork" in result.stderr or "fork" in result.stderr.lower()
    runner.close(wait=True)
    assert _leftover_cgroups() == []


def test_memory_is_limited(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner(limits=Limits(memory_mb=96, address_space_mb=1024))
    result = runner.run(
        "python3 -c 'b = bytearray(400 * 1024 * 1024); print(len(b))'", tmp_path, timeout_s=30
    )
    assert result.exit_code != 0
    assert "419430400" not in result.stdout


def test_file_size_and_cpu_time_are_limited(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner(limits=Limits(file_size_mb=1, cpu_s=1))
    big = runner.run("head -c 5000000 /dev/zero > big.bin", tmp_path, timeout_s=20)
    assert big.exit_code != 0
    assert (tmp_path / "big.bin").stat().st_size == 1024 * 1024
    started = time.monotonic()
    spin = runner.run("python3 -c 'while True: pass'", tmp_path, timeout_s=30)
    assert spin.exit_code not in (0, None) and not spin.timed_out
    assert time.monotonic() - started < 10


def test_wall_timeout_kills_the_whole_command(make_runner: MakeRunner, tmp_path: Path) -> None:
    runner = make_runner()
    started = time.monotonic()
    result = runner.run("sleep 30 & sleep 30 & wait", tmp_path, timeout_s=1.5)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - started < 6
    after = runner.run("echo still-usable", tmp_path)
    assert after.stdout == "still-usable\n"
    runner.close(wait=True)
    assert _leftover_cgroups() == []


def test_cgroups_are_created_and_removed(tmp_path: Path) -> None:
    group = CgroupSet.create(Limits(processes=10, memory_mb=64))
    if not group.directories:
        pytest.skip(f"no writable v1 cgroups here: {group.skipped}")
    assert all(d.is_dir() for d in group.directories)
    assert (group.directories[0] / "pids.max").read_text().strip() == "10"
    group.close()
    assert not any(d.exists() for d in group.directories) and group.directories == []


def test_argv_binds_only_the_workspace_writable(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    work = tmp_path / "ws"
    work.mkdir()
    argv = bwrap_argv(["true"], writable=work, cwd=work, layout=SandboxLayout.detect())
    writable = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--bind"]
    assert writable == [str(work.resolve())]
    joined = " ".join(argv)
    assert str(scenario.directory) not in joined
    for flag in ("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop ALL", "--remount-ro /"):
        assert flag in joined
    assert "--share-net" not in argv
    assert "--share-net" in bwrap_argv(
        ["true"], writable=work, cwd=work, layout=SandboxLayout.detect(), network=True
    )
    assert "/etc/shadow" not in argv
    etc_sources = [
        argv[i + 1] for i, arg in enumerate(argv[:-2]) if arg == "--ro-bind" and argv[i + 2] == "/etc"
    ]
    assert etc_sources != ["/etc"]  # never the host's whole /etc
    for source in etc_sources:  # the allow-listed copy: no shadow, no private keys
        view = Path(source)
        assert (view / "passwd").is_file() and not (view / "shadow").exists()
        assert not list(view.rglob("private"))


def test_python_and_node_work_inside(make_runner: MakeRunner, tmp_path: Path) -> None:
    result = make_runner().run(
        "python3 -c 'import sys, json; print(sys.version_info[:2])'; node -e 'console.log(6*7)' || true; git init -q . && echo git-ok",
        tmp_path,
    )
    assert result.exit_code == 0, result.stderr
    assert "(3, " in result.stdout and "git-ok" in result.stdout
    assert (tmp_path / ".git").is_dir() and (tmp_path / ".git").stat().st_uid == os.getuid()
