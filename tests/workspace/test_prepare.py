from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ws_helpers import MakeScenario, git, tree_hash, write

from zebench.errors import WorkspaceError
from zebench.workspace import EXCLUDED_DIRS, prepare_workspace


def _fixture(tmp_path: Path) -> Path:
    fx = tmp_path / "fixture"
    write(fx, "package.json", '{"name": "x"}\n')
    write(fx, "src/app.ts", "export const a = 1;\n")
    write(fx, ".hidden/config", "dot\n")
    write(fx, "node_modules/react/index.js", "junk")
    write(fx, "packages/ui/node_modules/lodash/index.js", "junk")
    write(fx, "packages/ui/dist/out.js", "junk")
    write(fx, "py/__pycache__/m.cpython-311.pyc", b"\0junk")
    write(fx, "py/.venv/bin/python", "junk")
    write(fx, "deep/a/b/.pytest_cache/v", "junk")
    write(fx, "deep/a/b/keep.txt", "keep\n")
    run = write(fx, "bin/run.sh", "#!/bin/sh\necho hi\n")
    run.chmod(0o755)
    os.symlink("src/app.ts", fx / "link-to-app")
    os.symlink("/etc/passwd", fx / "link-outside")
    os.symlink("../node_modules", fx / "packages" / "node_modules")
    return fx


def test_copies_fixture_without_dependency_and_cache_folders(
    tmp_path: Path, make_scenario: MakeScenario
) -> None:
    fx = _fixture(tmp_path)
    before = tree_hash(fx)
    ws = prepare_workspace(make_scenario(fx), tmp_path / "results" / "workspaces")

    assert ws.path.parent == tmp_path / "results" / "workspaces"
    assert ws.path.name.startswith("suite_one-demo-") and len(ws.path.name) == len("suite_one-demo-") + 8
    copied = tree_hash(ws.path, skip_git=True)
    for rel in ("package.json", "src/app.ts", ".hidden/config", "deep/a/b/keep.txt", "bin/run.sh"):
        assert copied[rel] == before[rel]
    assert not any(part in EXCLUDED_DIRS for rel in copied for part in Path(rel).parts)
    assert os.readlink(ws.path / "link-to-app") == "src/app.ts"
    assert (ws.path / "link-outside").is_symlink() and os.readlink(ws.path / "link-outside") == "/etc/passwd"
    assert os.stat(ws.path / "bin/run.sh").st_mode & stat.S_IXUSR
    assert tree_hash(fx) == before  # the fixture is never modified


def test_baseline_commit_is_clean_and_excludes_caches(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert git(ws.path, "status", "--porcelain") == ""  # the agent starts from a clean repository
    tracked = git(ws.path, "ls-files").split()
    assert "src/app.ts" in tracked and "link-outside" in tracked
    baseline = ws.repo.files(ws.baseline_ref)  # the harness's own baseline, outside the workspace
    assert "src/app.ts" in baseline and baseline["link-outside"][0] == "120000"
    assert not any(part in EXCLUDED_DIRS for path in baseline for part in path.split("/"))
    exclude = (ws.path / ".git/info/exclude").read_text()
    assert all(f"{name}/" in exclude for name in EXCLUDED_DIRS)
    # Caches created later (e.g. by an install during validation) never reach the diff.
    write(ws.path, "node_modules/left-pad/index.js", "x")
    write(ws.path, "src/__pycache__/a.pyc", b"\0")
    assert ws.diff().changed_files == []


def test_empty_fixture_gives_an_empty_repo(tmp_path: Path, make_scenario: MakeScenario) -> None:
    ws = prepare_workspace(make_scenario(None), tmp_path / "ws")
    assert [p.name for p in ws.path.iterdir()] == [".git"]
    assert ws.diff().patch == ""


def test_git_fixture_keeps_history_and_is_untouched(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "repo"
    write(fx, "a.txt", "one\n")
    git(fx, "init", "-q")
    git(fx, "add", "-A")
    git(fx, "commit", "-qm", "first")
    write(fx, "a.txt", "two\n")
    git(fx, "commit", "-qam", "second")
    write(fx, "dirty.txt", "uncommitted\n")
    before = tree_hash(fx)

    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    log = git(ws.path, "log", "--format=%s").split("\n")
    assert log[:3] == ["zebench baseline", "second", "first"]
    assert ws.repo.show(ws.baseline_ref, "dirty.txt") == b"uncommitted\n"
    assert tree_hash(fx) == before
    assert git(fx, "log", "--format=%s").split("\n")[:2] == ["second", "first"]


def test_git_pointer_file_is_not_copied(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "wt"
    write(fx, "a.txt")
    write(fx, ".git", "gitdir: /somewhere/else/.git/worktrees/wt\n")
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert (ws.path / ".git").is_dir()
    assert git(ws.path, "ls-files").split() == ["a.txt"]


def test_missing_fixture_and_root_inside_fixture_are_errors(
    tmp_path: Path, make_scenario: MakeScenario
) -> None:
    with pytest.raises(WorkspaceError, match="fixture folder does not exist"):
        prepare_workspace(make_scenario(tmp_path / "nope"), tmp_path / "ws")
    fx = tmp_path / "fx"
    write(fx, "a")
    with pytest.raises(WorkspaceError, match="inside the fixture"):
        prepare_workspace(make_scenario(fx), fx / "ws")


def test_remove_handles_read_only_files(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    write(fx, "a.txt")
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    locked = ws.path / "locked"
    write(locked, "inner.txt").chmod(0o444)
    locked.chmod(0o555)
    ws.remove()
    assert not ws.path.exists()
    ws.remove()  # twice is fine


def test_each_workspace_is_distinct(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "fx"
    write(fx, "a.txt")
    a = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    b = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert a.path != b.path
    write(a.path, "a.txt", "changed\n")
    assert (b.path / "a.txt").read_text() == "x\n"


def test_a_workspace_is_made_while_another_run_removes_the_shared_harness_folder(
    tmp_path: Path, make_scenario: MakeScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving that failed 1 run in 100 of the overhead benchmark: the next run's
    workspace finds ``.harness`` there, and the finishing run removes it (now empty) before the
    next run's own folder is made in it."""
    fx = tmp_path / "fx"
    write(fx, "a.txt")
    root = tmp_path / "ws"
    finishing = prepare_workspace(make_scenario(fx), root)
    shared = finishing.private.parent
    real_mkdir = os.mkdir
    raced: list[str] = []

    def mkdir(path: str | os.PathLike[str], mode: int = 0o777) -> None:
        try:
            real_mkdir(path, mode)
        except FileExistsError:
            if Path(path) == shared and not raced:
                raced.append("removed")
                finishing.remove()  # the other run's last folder goes, and .harness with it
            raise

    monkeypatch.setattr(os, "mkdir", mkdir)
    started = prepare_workspace(make_scenario(fx), root)
    monkeypatch.undo()
    assert raced == ["removed"] and not finishing.path.exists()
    assert started.private.parent == shared and started.private.is_dir()
    assert (started.path / "a.txt").read_text() == "x\n"
    started.remove()
    assert not shared.exists()
