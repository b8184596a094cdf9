"""zebench.safefs against the tricks an agent can leave in its workspace."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from zebench.safefs import (
    FileTooLargeError,
    UnsafeFileError,
    WalkLimits,
    WalkReport,
    copy_into,
    read_bytes,
    read_text,
    regular_file_size,
    remove_tree,
    walk_files,
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("VALUE = 1\n")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "host-secret.txt"
    secret.write_text("HOST-SECRET\n")
    return secret


def test_reads_a_plain_file_and_follows_links_that_stay_inside(ws: Path) -> None:
    os.symlink("src/app.py", ws / "inner-link")
    os.symlink("../src", ws / "src" / "loop")
    os.symlink(str(ws / "src" / "app.py"), ws / "absolute-inside")
    assert read_text(ws, "src/app.py") == "VALUE = 1\n"
    assert read_text(ws, "inner-link") == "VALUE = 1\n"
    assert read_text(ws, "src/loop/loop/app.py") == "VALUE = 1\n"
    assert read_text(ws, "absolute-inside") == "VALUE = 1\n"
    assert read_text(ws, "src/../src/app.py") == "VALUE = 1\n"


@pytest.mark.parametrize("kind", ["absolute", "relative", "dir", "proc"])
def test_refuses_symlinks_that_leave_the_folder(ws: Path, outside: Path, kind: str) -> None:
    target = {
        "absolute": str(outside),
        "relative": os.path.relpath(outside, ws),
        "dir": str(outside.parent),
        "proc": "/proc/self/environ",
    }[kind]
    os.symlink(target, ws / "link")
    rel = "link/host-secret.txt" if kind == "dir" else "link"
    with pytest.raises(UnsafeFileError, match=r"outside the folder|leaves the folder"):
        read_bytes(ws, rel)
    assert regular_file_size(ws, rel) is None


def test_refuses_escapes_by_dotdot_and_absolute_paths(ws: Path) -> None:
    with pytest.raises(UnsafeFileError, match="leaves the folder"):
        read_bytes(ws, "../ws/src/app.py")
    with pytest.raises(UnsafeFileError, match="absolute"):
        read_bytes(ws, "/etc/passwd")


def test_a_fifo_is_refused_at_once_instead_of_hanging(ws: Path) -> None:
    os.mkfifo(ws / "report.xml")
    started = time.monotonic()
    with pytest.raises(UnsafeFileError, match="a FIFO"):
        read_bytes(ws, "report.xml")
    assert time.monotonic() - started < 2
    assert regular_file_size(ws, "report.xml") is None


def test_hard_links_are_refused(ws: Path, tmp_path: Path) -> None:
    os.link(ws / "src" / "app.py", ws / "twin.py")
    with pytest.raises(UnsafeFileError, match="hard-linked"):
        read_bytes(ws, "twin.py")


def test_reads_are_capped(ws: Path) -> None:
    with open(ws / "big.bin", "wb") as handle:
        handle.truncate(10_000)
    with pytest.raises(FileTooLargeError) as caught:
        read_bytes(ws, "big.bin", max_bytes=1000)
    assert caught.value.size == 10_000
    assert len(read_bytes(ws, "big.bin", max_bytes=10_000)) == 10_000


def test_missing_files_raise_file_not_found(ws: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bytes(ws, "nope.txt")
    with pytest.raises(FileNotFoundError):
        read_bytes(ws, "nope/deeper.txt")


def test_walk_lists_files_and_links_never_following_them(ws: Path, outside: Path) -> None:
    os.symlink(str(outside.parent), ws / "host-dir")
    os.mkfifo(ws / "pipe")
    (ws / "node_modules").mkdir()
    (ws / "node_modules" / "x.js").write_text("x")
    report = WalkReport()
    seen = {
        e.rel: e.is_symlink for e in walk_files(ws, report, keep_dir=lambda rel, name: name != "node_modules")
    }
    assert seen == {"host-dir": True, "src/app.py": False}
    assert report.skipped == [("pipe", "a FIFO")]
    assert report.over_limit is None


def test_walk_stops_at_its_limits(ws: Path) -> None:
    for i in range(30):
        (ws / f"f{i}").write_text("x" * 10)
    report = WalkReport()
    entries = list(walk_files(ws, report, limits=WalkLimits(max_files=20)))
    assert len(entries) == 20
    assert report.over_limit == "more than 20 files"
    report = WalkReport()
    list(walk_files(ws, report, limits=WalkLimits(max_bytes=100)))
    assert report.over_limit == "more than 100 bytes in files"
    deep = ws
    for _ in range(12):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "leaf").write_text("x")
    report = WalkReport()
    list(walk_files(ws, report, limits=WalkLimits(max_depth=5)))
    assert report.over_limit == "folders nested deeper than 5 levels"


def test_copy_into_replaces_planted_links_instead_of_writing_through_them(
    ws: Path, outside: Path, tmp_path: Path
) -> None:
    hidden = tmp_path / "hidden"
    (hidden / "tests").mkdir(parents=True)
    (hidden / "tests" / "test_hidden.py").write_text("HIDDEN\n")
    (hidden / "conftest.py").write_text("CONF\n")
    (ws / "tests").symlink_to(outside.parent)  # a folder the copy goes into, pointing at the host
    os.symlink(str(outside), ws / "conftest.py")  # a file the copy overwrites, pointing at the host
    copied = copy_into(hidden, ws)
    assert sorted(copied) == ["conftest.py", "tests/test_hidden.py"]
    assert outside.read_text() == "HOST-SECRET\n"
    assert not (outside.parent / "test_hidden.py").exists()
    assert not (ws / "tests").is_symlink()
    assert (ws / "tests" / "test_hidden.py").read_text() == "HIDDEN\n"
    assert (ws / "conftest.py").read_text() == "CONF\n"


def test_copy_into_replaces_a_fifo_without_blocking(ws: Path, tmp_path: Path) -> None:
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "report.xml").write_text("<x/>")
    os.mkfifo(ws / "report.xml")
    done = threading.Event()

    def copy() -> None:
        copy_into(hidden, ws)
        done.set()

    threading.Thread(target=copy, daemon=True).start()
    assert done.wait(5)
    assert (ws / "report.xml").read_text() == "<x/>"


def test_remove_tree_never_follows_links_and_removes_read_only_and_deep_folders(
    ws: Path, outside: Path
) -> None:
    os.symlink(str(outside.parent), ws / "host-dir")
    os.symlink(str(outside), ws / "host-file")
    deep = ws
    for _ in range(150):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "leaf").write_text("x")
    locked = ws / "locked"
    locked.mkdir()
    (locked / "f").write_text("x")
    locked.chmod(0o500)
    os.mkfifo(ws / "pipe")
    assert remove_tree(ws) == []
    assert not ws.exists()
    assert outside.read_text() == "HOST-SECRET\n"
    assert remove_tree(ws) == []


def test_remove_tree_unlinks_a_symlinked_root_without_touching_its_target(
    tmp_path: Path, outside: Path
) -> None:
    link = tmp_path / "ws-link"
    link.symlink_to(outside.parent, target_is_directory=True)
    remove_tree(link)
    assert not link.exists() and not link.is_symlink()
    assert outside.read_text() == "HOST-SECRET\n"
    assert stat.S_ISDIR(os.lstat(outside.parent).st_mode)


_MOUNT_PROBE = r"""
import os, subprocess, sys
from pathlib import Path
from zebench.safefs import UnsafeFileError, WalkReport, read_bytes, remove_tree, walk_files
ws, host = Path(sys.argv[1]), Path(sys.argv[2])
(ws / "mnt").mkdir()
(ws / "one.txt").write_text("x")
subprocess.run(["mount", "--bind", str(host), str(ws / "mnt")], check=True)
subprocess.run(["mount", "--bind", str(host / "secret.txt"), str(ws / "one.txt")], check=True)
for rel in ("mnt/secret.txt", "one.txt"):
    try:
        read_bytes(ws, rel)
        print("READ", rel)
    except UnsafeFileError as exc:
        print("REFUSED", rel, exc.why)
report = WalkReport()
print("WALK", sorted(e.rel for e in walk_files(ws, report)), sorted(report.skipped))
print("LEFT", len(remove_tree(ws)))
"""


def test_bind_mounts_inside_the_folder_are_never_entered(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret.txt").write_text("HOST-SECRET\n")
    ws = tmp_path / "ws"
    ws.mkdir()
    proc = subprocess.run(
        ["unshare", "--mount", "--map-root-user", sys.executable, "-c", _MOUNT_PROBE, str(ws), str(host)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0 and "unshare failed" in proc.stderr:
        pytest.skip(f"no private mount namespace here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "REFUSED mnt/secret.txt mnt is a mount point" in lines
    assert "REFUSED one.txt one.txt is a mount point" in lines
    assert "WALK [] [('mnt', 'another file system (a mount point)'), ('one.txt', 'a mount point')]" in lines
    assert "LEFT 2" in lines
    assert (host / "secret.txt").read_text() == "HOST-SECRET\n"
