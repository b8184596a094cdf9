"""The escape corpus, checked against resolve_in_workspace and every file tool."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zebench.tools import PathEscapeError, Toolbox, resolve_in_workspace


def _links(ws: Path) -> None:
    outside = ws.parent / "outside.txt"
    os.symlink(outside, ws / "file-out")
    os.symlink(ws.parent, ws / "dir-out")
    os.symlink("dir-out", ws / "chain1")  # chain: chain1 -> dir-out -> parent
    os.symlink("chain1/outside.txt", ws / "chain2")
    os.symlink(ws.parent / "does-not-exist.txt", ws / "dangling-out")
    os.symlink("../ws-evil", ws / "sibling")
    os.symlink(".git", ws / "gitlink")


ESCAPES = [
    "..",
    "../outside.txt",
    "src/../../outside.txt",
    "a/../../x",
    "../ws-evil/secret.txt",
    "/etc/passwd",
    "~/x",
    "~",
    "src/app.py\0.txt",
    "file-out",
    "dir-out/outside.txt",
    "chain1/outside.txt",
    "chain2",
    "dangling-out",
    "sibling/secret.txt",
    ".git/config",
    ".git",
    "gitlink/config",
    "src/../.git/config",
    "",
]


@pytest.mark.parametrize("user_path", ESCAPES)
def test_resolve_refuses(ws: Path, user_path: str) -> None:
    _links(ws)
    with pytest.raises(PathEscapeError) as info:
        resolve_in_workspace(ws, user_path, for_write=True)
    assert info.value.file  # the error names the path


@pytest.mark.parametrize(
    "user_path", ["src/app.py", "./src/app.py", "src/../src/app.py", "new/dir/file.txt", "."]
)
def test_resolve_accepts_inside_paths(ws: Path, user_path: str) -> None:
    target = resolve_in_workspace(ws, user_path)
    assert target.is_relative_to(Path(os.path.realpath(ws)))


def test_symlink_inside_workspace_is_allowed(ws: Path) -> None:
    os.symlink("src/app.py", ws / "inner-link")
    assert resolve_in_workspace(ws, "inner-link") == Path(os.path.realpath(ws / "src" / "app.py"))


def test_workspace_given_through_a_symlink(tmp_path: Path, ws: Path) -> None:
    alias = tmp_path / "alias"
    os.symlink(ws, alias)
    assert resolve_in_workspace(alias, "src/app.py") == Path(os.path.realpath(ws / "src/app.py"))


@pytest.mark.parametrize("user_path", ESCAPES)
def test_every_file_tool_refuses(box: Toolbox, ws: Path, user_path: str) -> None:
    _links(ws)
    before_outside = (ws.parent / "outside.txt").read_text()
    calls = {
        "read_file": {"path": user_path},
        "write_file": {"path": user_path, "content": "pwned\n"},
        "edit_file": {"path": user_path, "old_string": "secret", "new_string": "pwned"},
        "list_directory": {"path": user_path},
    }
    for name, args in calls.items():
        result = box.call(name, args)
        assert result.is_error, (name, user_path, result.content)
        assert "sibling secret" not in result.content and "outside secret" not in result.content
    assert (ws.parent / "outside.txt").read_text() == before_outside
    assert (ws.parent / "ws-evil" / "secret.txt").read_text() == "sibling secret\n"
    assert not (ws.parent / "does-not-exist.txt").exists()  # no write through the dangling link
    assert (ws / ".git" / "config").read_text() == "[core]\n"


def test_list_directory_does_not_follow_links_out(box: Toolbox, ws: Path) -> None:
    _links(ws)
    result = box.call("list_directory", {"recursive": True})
    assert not result.is_error
    assert "outside.txt" not in result.content and "secret.txt" not in result.content
    assert "dir-out" in result.content.splitlines()
