"""Path confinement and the toolbox under hostile input: never outside the workspace, never raises."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zebench.commands import LocalCommandRunner
from zebench.results.trajectory import Trajectory
from zebench.tools import PathEscapeError, Toolbox, resolve_in_workspace

HOSTILE_PATHS = [
    "..", "../", "../../etc/passwd", "a/../../b", "./../x", "sub/../../..", "/etc/passwd", "~", "~root/x",
    "link-out", "link-out/passwd", "link-out/../x", "link-loop", "dangling", "dangling/new", "sub/link-up/x",
    ".git", ".git/config", ".GIT/HEAD", "sub/./../.git/x", "a\0b", "\0", "", " ", "\n", "ｆｕｌｌ/．．/x",
    "..\\..\\windows", "%2e%2e/x", "sub/" + "a/" * 200 + "x", "x" * 5000, "é/../../ü", "\udcff", "./",
]  # fmt: skip
segments = st.one_of(
    st.sampled_from(
        ["..", ".", "sub", "link-out", "link-loop", "dangling", "sub/link-up", ".git", "", "x", "~"]
    ),
    st.text(min_size=1, max_size=8),
)
path_strings = st.one_of(
    st.sampled_from(HOSTILE_PATHS),
    st.lists(segments, min_size=1, max_size=6).map("/".join),
    st.text(max_size=40),
)


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    """A workspace with links that point out, up, nowhere and at themselves, beside a secret file."""
    with tempfile.TemporaryDirectory(prefix="zebench-conf-") as tmp:
        root = Path(tmp)
        (root / "secret.txt").write_text("SECRET-OUTSIDE-9f2\n")
        ws = root / "ws"
        (ws / "sub").mkdir(parents=True)
        (ws / ".git").mkdir()
        (ws / "sub" / "inside.txt").write_text("inside\n")
        os.symlink("/etc", ws / "link-out")
        os.symlink("../..", ws / "sub" / "link-up")
        os.symlink("link-loop", ws / "link-loop")
        os.symlink("/nonexistent/zebench", ws / "dangling")
        yield ws


def _outside_or_git(ws_real: Path, target: Path) -> bool:
    if not target.is_relative_to(ws_real):
        return True
    rel = target.relative_to(ws_real).parts
    return bool(rel) and rel[0].lower() == ".git"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path_strings, st.booleans())
def test_resolve_never_leaves_the_workspace(workspace: Path, user_path: str, for_write: bool) -> None:
    _check_confined(workspace, user_path, for_write)


def _check_confined(workspace: Path, user_path: str, for_write: bool) -> None:
    real = Path(os.path.realpath(workspace))
    try:
        target = resolve_in_workspace(workspace, user_path, for_write=for_write)
    except PathEscapeError:
        return
    assert target.is_absolute()
    assert not _outside_or_git(real, Path(os.path.realpath(target)))
    if for_write:
        assert Path(os.path.realpath(target)) != real


# A symlink loop (an agent can make one: ln -s l l) followed by ".." once made realpath stop
# resolving, so read_file reached the host's /etc/passwd through an outward link.
@pytest.mark.parametrize("user_path", ["link-loop/../link-out/passwd", "link-loop/x/../../link-out"])
def test_symlink_loop_escape_is_refused(workspace: Path, toolbox: Toolbox, user_path: str) -> None:
    with pytest.raises(PathEscapeError):
        resolve_in_workspace(workspace, user_path)
    assert "root:x:0:0" not in toolbox.call("read_file", {"path": "link-loop/../link-out/passwd"}).content


@pytest.mark.parametrize("user_path", HOSTILE_PATHS)
def test_hostile_path_corpus(workspace: Path, user_path: str) -> None:
    _check_confined(workspace, user_path, False)
    _check_confined(workspace, user_path, True)


json_junk = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50),
        st.sampled_from(HOSTILE_PATHS), st.just("x" * 200_000),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
TOOL_NAMES = ["read_file", "write_file", "edit_file", "list_directory", "ask_user", "run_command", "nope", ""]
FIELDS = [
    "path",
    "content",
    "old_string",
    "new_string",
    "replace_all",
    "recursive",
    "offset",
    "limit",
    "question",
]
arguments = st.one_of(
    json_junk,
    st.dictionaries(st.sampled_from(FIELDS), json_junk, max_size=4),
    st.fixed_dictionaries({"path": path_strings}, optional={"content": st.text(max_size=20)}),
)


@pytest.fixture(scope="module")
def toolbox(workspace: Path) -> Toolbox:
    class NoCommands(LocalCommandRunner):
        """Tool fuzzing must not run generated shell commands on the host."""

        def argv(self, command: str, cwd: Path, network: bool = True) -> list[str]:
            return ["/bin/true"]

    return Toolbox(workspace, trajectory=Trajectory(), command_runner=NoCommands(), output_cap=5000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(TOOL_NAMES), arguments)
def test_toolbox_call_never_raises_or_escapes(
    toolbox: Toolbox, workspace: Path, name: str, args: Any
) -> None:
    before = (workspace.parent / "secret.txt").read_text()
    result = toolbox.call(name, args)
    assert isinstance(result.content, str)
    assert "SECRET-OUTSIDE-9f2" not in result.content and "root:x:0:0" not in result.content
    assert (workspace.parent / "secret.txt").read_text() == before
    assert not (workspace.parent / "pwned").exists()
    assert sorted(p.name for p in workspace.parent.iterdir()) == ["secret.txt", "ws"]
    assert len(toolbox.trajectory.steps[-1].result or "") <= 10 * 1024 + 100
