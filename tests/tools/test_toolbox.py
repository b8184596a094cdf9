from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from jsonschema import Draft202012Validator

from zebench.commands import LocalCommandRunner
from zebench.results.trajectory import Trajectory
from zebench.tools import MAX_READ_BYTES, Toolbox


def test_specs_are_complete_json_schemas(box: Toolbox) -> None:
    specs = {s.name: s for s in box.specs()}
    assert set(specs) == {"read_file", "write_file", "edit_file", "list_directory", "run_command", "ask_user"}
    for spec in specs.values():
        Draft202012Validator.check_schema(spec.parameters)
        params = spec.parameters
        assert params["type"] == "object" and params["additionalProperties"] is False
        assert set(params["required"]) <= set(params["properties"])
        assert all(prop.get("description") for prop in params["properties"].values())
        assert spec.description
    assert specs["edit_file"].parameters["required"] == ["path", "old_string", "new_string"]


def test_read_file_whole_and_ranges(box: Toolbox, ws: Path) -> None:
    (ws / "lines.txt").write_text("".join(f"l{i}\n" for i in range(1, 11)))
    assert box.call("read_file", {"path": "src/app.py"}).content == "print('hi')\n"
    part = box.call("read_file", {"path": "lines.txt", "offset": 3, "limit": 2})
    assert part.content.startswith("l3\nl4\n") and "[lines 3-4 of lines.txt]" in part.content
    tail = box.call("read_file", {"path": "lines.txt", "offset": 9})
    assert tail.content.startswith("l9\nl10\n")
    past = box.call("read_file", {"path": "lines.txt", "offset": 50})
    assert not past.is_error and "has 10 lines" in past.content


def test_read_file_errors(box: Toolbox, ws: Path) -> None:
    (ws / "blob.bin").write_bytes(b"\x89PNG\0\0\0")
    (ws / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    for path, expected in [
        ("missing.txt", "does not exist"),
        ("src", "is a folder"),
        ("blob.bin", "binary"),
        ("latin.txt", "not UTF-8"),
    ]:
        result = box.call("read_file", {"path": path})
        assert result.is_error and expected in result.content, result.content


def test_read_file_caps_huge_files(box: Toolbox, ws: Path) -> None:
    (ws / "big.txt").write_text("é" * (MAX_READ_BYTES))  # 2 bytes each: the cap splits a character
    result = box.call("read_file", {"path": "big.txt"})
    assert not result.is_error
    assert "[truncated: showing the first" in result.content
    assert len(result.content.encode()) < MAX_READ_BYTES + 500


def test_write_file_creates_parents_and_overwrites(box: Toolbox, ws: Path) -> None:
    result = box.call("write_file", {"path": "a/b/c.txt", "content": "one\r\ntwo"})
    assert not result.is_error and "wrote 8 bytes" in result.content
    assert (ws / "a/b/c.txt").read_bytes() == b"one\r\ntwo"
    box.call("write_file", {"path": "a/b/c.txt", "content": "new"})
    assert (ws / "a/b/c.txt").read_text() == "new"
    assert box.call("write_file", {"path": "src", "content": "x"}).is_error
    assert box.call("write_file", {"path": ".", "content": "x"}).is_error
    os.mkfifo(ws / "pipe")
    assert "a FIFO, not a plain file" in box.call("write_file", {"path": "pipe", "content": "x"}).content
    assert box.call("read_file", {"path": "pipe"}).is_error


def test_edit_file(box: Toolbox, ws: Path) -> None:
    (ws / "e.txt").write_bytes(b"foo bar\r\nfoo baz\r\n")
    many = box.call("edit_file", {"path": "e.txt", "old_string": "foo", "new_string": "qux"})
    assert many.is_error and "occurs 2 times" in many.content
    none = box.call("edit_file", {"path": "e.txt", "old_string": "nope", "new_string": "x"})
    assert none.is_error and "not found" in none.content
    one = box.call("edit_file", {"path": "e.txt", "old_string": "foo bar", "new_string": "hello"})
    assert not one.is_error and "replaced 1 occurrence " in one.content + " "
    assert (ws / "e.txt").read_bytes() == b"hello\r\nfoo baz\r\n"  # CRLF kept
    every = box.call(
        "edit_file", {"path": "e.txt", "old_string": "\r\n", "new_string": "\n", "replace_all": True}
    )
    assert "replaced 2 occurrences" in every.content
    assert (ws / "e.txt").read_bytes() == b"hello\nfoo baz\n"
    assert box.call("edit_file", {"path": "e.txt", "old_string": "", "new_string": "x"}).is_error
    assert box.call("edit_file", {"path": "missing", "old_string": "a", "new_string": "b"}).is_error


def test_list_directory(box: Toolbox, ws: Path) -> None:
    (ws / "node_modules" / "pkg").mkdir(parents=True)
    (ws / "node_modules" / "pkg" / "index.js").write_text("")
    (ws / "b.txt").write_text("")
    (ws / "src" / "deep").mkdir()
    (ws / "src" / "deep" / "x.py").write_text("")
    top = box.call("list_directory", {})
    assert top.content.splitlines() == ["b.txt", "node_modules/", "src/"]
    rec = box.call("list_directory", {"path": ".", "recursive": True}).content.splitlines()
    assert rec == ["b.txt", "node_modules/", "src/", "src/app.py", "src/deep/", "src/deep/x.py"]
    assert box.call("list_directory", {"path": "src"}).content.splitlines() == ["app.py", "deep/"]
    assert box.call("list_directory", {"path": "b.txt"}).is_error
    assert box.call("list_directory", {"path": "nope"}).is_error


def test_list_directory_caps_entries(box: Toolbox, ws: Path) -> None:
    many = ws / "many"
    many.mkdir()
    for i in range(1100):
        (many / f"f{i:04d}").write_text("")
    lines = box.call("list_directory", {"path": "many"}).content.splitlines()
    assert len(lines) == 1001 and lines[-1].startswith("[truncated at 1000 entries")


def test_bad_calls_are_results_not_exceptions(box: Toolbox) -> None:
    cases = [
        ("no_such_tool", {}, "unknown tool"),
        ("read_file", {}, "'path' is a required property"),
        ("read_file", {"path": 3}, "path: 3 is not of type 'string'"),
        ("read_file", {"path": "x", "bogus": 1}, "Additional properties"),
        ("read_file", {"path": "src/app.py", "offset": 0}, "offset"),
        ("run_command", {"command": "true", "timeout_s": -1}, "timeout_s"),
        ("write_file", "not a dict", "must be a JSON object"),
    ]
    for name, args, expected in cases:
        result = box.call(name, args)  # type: ignore[arg-type]
        assert result.is_error and expected in result.content, (name, result.content)


def test_trajectory_records_every_call(box: Toolbox, ws: Path) -> None:
    (ws / "big.txt").write_text("y" * 50_000)
    box.call("read_file", {"path": "big.txt"})
    box.call("read_file", {"path": "../outside.txt"})
    steps = box.trajectory.steps
    assert [s.type for s in steps] == ["tool_call", "tool_call"]
    ok, bad = steps
    assert ok.name == "read_file" and ok.arguments == {"path": "big.txt"}
    assert ok.result_size == 50_000 and ok.result is not None and len(ok.result) < 10_300
    assert ok.error is None and ok.duration_ms is not None
    assert bad.error is not None and "outside the workspace" in bad.error
    assert box.trajectory.tool_call_counts() == {"read_file": 2}


def test_run_command(box: Toolbox, ws: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak")
    ok = box.call("run_command", {"command": "pwd; echo err >&2; echo ${OPENAI_API_KEY:-no-key}"})
    assert not ok.is_error
    assert ok.content.startswith("exit code 0")
    assert str(ws) in ok.content and "err" in ok.content and "no-key" in ok.content
    fail = box.call("run_command", {"command": "exit 4"})
    assert fail.is_error and fail.content.startswith("exit code 4")


def test_run_command_output_is_capped(ws: Path) -> None:
    box = Toolbox(ws, trajectory=Trajectory(), command_runner=LocalCommandRunner(), output_cap=2000)
    result = box.call("run_command", {"command": "seq 1 100000"})
    assert len(result.content) <= 2100
    assert result.content.startswith("exit code 0") and "truncated" in result.content


def test_run_command_timeout_kills_the_group(ws: Path) -> None:
    box = Toolbox(
        ws,
        trajectory=Trajectory(),
        command_runner=LocalCommandRunner(),
        command_timeout_s=30,
        max_command_timeout_s=2,
    )
    started = time.monotonic()
    result = box.call("run_command", {"command": "sleep 30 & sleep 30", "timeout_s": 1})
    assert time.monotonic() - started < 5
    assert result.is_error and "timed out after 1s" in result.content
    started = time.monotonic()
    capped = box.call("run_command", {"command": "sleep 30", "timeout_s": 500})  # capped at max (2s)
    assert time.monotonic() - started < 6 and "timed out after 2s" in capped.content


def test_file_tools_survive_an_agent_swapping_links_and_fifos_underneath(
    box: Toolbox, ws: Path, tmp_path: Path
) -> None:
    """The agent's own background job races the harness: no read leaves the workspace or blocks."""
    import threading
    import time

    secret = tmp_path / "host-secret.txt"
    secret.write_text("HOST-SECRET-CANARY\n")
    stop = threading.Event()

    def swapper() -> None:
        target = ws / "racy.txt"
        while not stop.is_set():
            for make in (
                lambda: target.write_text("plain\n"),
                lambda: os.symlink(secret, target),
                lambda: os.mkfifo(target),
            ):
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
                with contextlib.suppress(FileExistsError):
                    make()

    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    seen: list[str] = []
    started = time.monotonic()
    try:
        for _ in range(300):
            seen.append(box.call("read_file", {"path": "racy.txt"}).content)
            seen.append(box.call("write_file", {"path": "racy.txt", "content": "agent"}).content)
    finally:
        stop.set()
        thread.join()
    assert time.monotonic() - started < 60
    assert not any("HOST-SECRET-CANARY" in text for text in seen)
    assert secret.read_text() == "HOST-SECRET-CANARY\n"
