from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ws_helpers import GIT_ENV, MakeScenario, git, tree_hash, write

from zebench.workspace import copy_fixture, prepare_workspace


def _fixture(tmp_path: Path) -> Path:
    fx = tmp_path / "fixture"
    write(fx, "README.md", "# demo\n")
    write(fx, "src/a.py", "".join(f"line {i}\n" for i in range(50)))
    write(fx, "src/gone.txt", "bye\n")
    write(fx, "src/moved.txt", "".join(f"stable content {i}\n" for i in range(30)))
    write(fx, "img.bin", bytes(range(256)) * 4)
    write(fx, "latin.txt", "caf\xe9\n".encode("latin-1"))
    os.symlink("src/a.py", fx / "link")
    return fx


def _apply_to_fresh_copy(tmp_path: Path, fixture: Path, patch: str) -> Path:
    fresh = tmp_path / "fresh"
    copy_fixture(fixture, fresh)
    patch_file = tmp_path / "agent.patch"
    patch_file.write_bytes(patch.encode("utf-8", errors="surrogateescape"))
    proc = subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(patch_file)],
        cwd=fresh,
        env={**GIT_ENV, "GIT_DIR": str(tmp_path / "no-repo")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return fresh


def _text_hunks(patch: str, binaries: set[str]) -> str:
    """The patch without the entries of binary files (which carry no content to apply)."""
    parts = patch.split("diff --git ")
    kept = [p for p in parts[1:] if not any(p.startswith(f"a/{b} ") for b in binaries)]
    return "".join("diff --git " + p for p in kept)


def test_patch_reproduces_the_workspace_exactly(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    git(ws.path, "add", "-A")  # the agent's own index must not matter
    write(ws.path, "src/a.py", "".join(f"line {i}\n" for i in range(50) if i != 7) + "tail\n")
    (ws.path / "src/gone.txt").unlink()
    (ws.path / "lib").mkdir()
    (ws.path / "src/moved.txt").rename(ws.path / "lib/moved.txt")
    write(ws.path, "img.bin", bytes(reversed(range(256))) * 4)
    write(ws.path, "new/untracked.txt", "brand new\n")
    write(ws.path, "new/blob.bin", b"\0\1\2\3")
    write(ws.path, "latin.txt", "na\xefve\n".encode("latin-1"))
    (ws.path / "link").unlink()
    os.symlink("README.md", ws.path / "link")
    index_before = (ws.path / ".git/index").read_bytes()

    diff = ws.diff()

    assert not diff.truncated
    assert (ws.path / ".git/index").read_bytes() == index_before
    changes = {c.path: c for c in diff.changed_files}
    assert changes["src/a.py"].change == "modified" and not changes["src/a.py"].binary
    assert changes["src/gone.txt"].change == "deleted"
    assert changes["lib/moved.txt"].change == "renamed"
    assert changes["lib/moved.txt"].old_path == "src/moved.txt"
    assert changes["img.bin"].binary and changes["new/blob.bin"].binary
    assert changes["new/untracked.txt"].change == "added"
    assert changes["latin.txt"].binary  # not UTF-8: named as binary so the patch text stays exact
    assert "link" in changes
    # Binary content is named, never carried in the patch; every text change applies exactly.
    binaries = {"img.bin", "new/blob.bin", "latin.txt"}
    assert {o.path for o in diff.omitted} == binaries
    assert "GIT binary patch" not in diff.patch and "Binary files" in diff.patch
    fresh = _apply_to_fresh_copy(tmp_path, fx, _text_hunks(diff.patch, binaries))
    texts = {k: v for k, v in tree_hash(ws.path, skip_git=True).items() if k not in binaries}
    assert {k: v for k, v in tree_hash(fresh).items() if k not in binaries} == texts


def test_unchanged_workspace_has_empty_diff(tmp_path: Path, make_scenario: MakeScenario) -> None:
    ws = prepare_workspace(make_scenario(_fixture(tmp_path)), tmp_path / "ws")
    diff = ws.diff()
    assert diff.patch == "" and diff.changed_files == [] and diff.dependency_changes == []


def test_agent_commits_and_branch_switches_do_not_hide_changes(
    tmp_path: Path, make_scenario: MakeScenario
) -> None:
    ws = prepare_workspace(make_scenario(_fixture(tmp_path)), tmp_path / "ws")
    write(ws.path, "README.md", "# changed and committed\n")
    git(ws.path, "commit", "-qam", "agent commit")
    git(ws.path, "checkout", "-qb", "other")
    assert [c.path for c in ws.diff().changed_files] == ["README.md"]


def test_truncation_is_marked(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    write(ws.path, "big.txt", "".join(f"row {i}\n" for i in range(20_000)))
    diff = ws.diff(max_bytes=10_000)
    assert diff.truncated
    assert len(diff.patch.encode()) < 10_200
    assert diff.patch.rstrip().endswith("it will not apply")
    assert "patch truncated" in diff.patch
    assert [c.path for c in diff.changed_files] == ["big.txt"]  # the file list is never truncated
    full = ws.diff()
    assert not full.truncated and "row 19999" in full.patch


def test_git_fixture_diff_is_against_the_copied_state(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = tmp_path / "repo"
    write(fx, "a.txt", "committed\n")
    git(fx, "init", "-q")
    git(fx, "add", "-A")
    git(fx, "commit", "-qm", "c1")
    write(fx, "a.txt", "dirty in fixture\n")
    ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert ws.diff().changed_files == []
    write(ws.path, "a.txt", "agent\n")
    fresh = _apply_to_fresh_copy(tmp_path, fx, ws.diff().patch)
    assert (fresh / "a.txt").read_text() == "agent\n"
    shutil.rmtree(fresh)
