"""``zebench run ID --trajectory / --logs / --diff`` (issue 17): what the agent did, readable and
bounded, with ``--json`` for everything; each validation command's output in full; the agent's text
shown, never obeyed by the terminal."""

from __future__ import annotations

import re
from pathlib import Path

from cli_helpers import CliRun, as_json

from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall

LONG = "".join(f"line {i}\n" for i in range(1, 201))  # 200 lines: more than a transcript shows
HOSTILE = "title \x1b]0;pwned\x07 and \x1b[2J cleared, [bold]markup[/bold] :smile:\n"


def _script() -> FakeScript:
    return FakeScript(
        turns=[
            FakeReply(
                text="Looking around first.",
                tool_calls=[
                    FakeToolCall(name="write_file", arguments={"path": "notes[red].txt", "content": LONG}),
                    FakeToolCall(name="write_file", arguments={"path": "evil.txt", "content": HOSTILE}),
                ],
            ),
            FakeReply(
                text="Now the tests.",
                tool_calls=[
                    FakeToolCall(name="read_file", arguments={"path": "notes[red].txt"}),
                    FakeToolCall(
                        name="run_command",
                        arguments={"command": "cat evil.txt; python3 -m unittest discover -s tests"},
                    ),
                ],
            ),
            FakeReply(text="I could not fix it."),
        ]
    )


def test_run_shows_the_trajectory_the_logs_and_the_diff(zb: CliRun) -> None:
    with FakeLLMServer(_script()) as fake:
        bench = zb("bench", "examples", "fix-failing-tests", "--agent", "anthropic", "--skip-warmup", "--json",
                   ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=fake.url)  # fmt: skip
    assert bench.returncode == 1, bench.stderr
    run_id = as_json(bench)["run_id"]

    shown = zb("run", run_id[-8:], "--trajectory", check=0)
    out = shown.stdout
    assert "\x1b" not in out and "\x07" not in out  # the agent's escapes are shown, not obeyed
    assert "\\x1b]0;pwned\\x07" in out and "[bold]markup[/bold] :smile:" in out
    # Messages, the model's replies and each tool call with its arguments and result.
    assert re.search(r"#1 \+0\.0s user", out) and "started failing after the last refactor" in out
    assert "reply: Looking around first." in out and "asks for: write_file, write_file" in out
    assert "tool write_file" in out and "path: notes[red].txt" in out
    assert "tool run_command" in out and "command: cat evil.txt; python3 -m unittest discover -s tests" in out
    assert "exit code 1" in out  # the command's result
    assert "assistant" in out and "I could not fix it." in out
    # Bounded: the 200-line file is cut, saying how much is left, with --json for the rest.
    assert "line 12\n" in out and "line 13\n" not in out and "line 200" not in out
    assert "… 188 more lines (--json has everything)" in out

    data = as_json(zb("run", run_id, "--trajectory", "--json", check=0))
    tools = [s for s in data["trajectory"] if s["type"] == "tool_call"]
    assert sorted(t["name"] for t in tools) == ["read_file", "run_command", "write_file", "write_file"]
    notes = next(t for t in tools if t["name"] == "write_file" and t["arguments"]["path"] == "notes[red].txt")
    assert notes["arguments"]["content"] == LONG  # whole in JSON
    assert data["control"] is None  # --skip-warmup: no control to show

    logs = zb("run", run_id, "--logs", check=0).stdout
    assert "tests (test): exit 1" in logs and "$ python3 -m unittest discover -s tests -v" in logs
    validation = as_json(zb("run", run_id, "--json", check=0))["validation"][0]
    stored = validation["stdout"] + validation["stderr"]
    assert "FAILED (failures=" in stored
    for line in stored.splitlines():
        assert line.rstrip() in logs  # every line of the output, not an excerpt
    assert "\x1b" not in logs

    diff = zb("run", run_id, "--diff", check=0).stdout
    assert "+line 200" in diff and "\\x1b]0;pwned\\x07" in diff and "\x1b" not in diff
    plain = zb("run", run_id, check=0).stdout
    assert "notes[red].txt" in plain  # a changed path with markup is printed as written
    assert f"zebench run {run_id} --logs" in plain and "Legend:" in plain


def test_views_of_a_run_without_those_records_say_so(zb: CliRun) -> None:
    run_id = as_json(
        zb("bench", "examples", "fix-failing-tests", "--agent", "echo", "--json", "--skip-warmup")
    )["run_id"]
    out = zb("run", run_id, "--trajectory", "--diff", "--logs", check=0).stdout
    assert "Trajectory" in out and "#1" in out  # echo's one message
    assert "tests (test): exit 1" in out
    assert "Diff" in out


def test_stored_strings_are_shown_as_written_not_as_markup(zb: CliRun, tmp_path: Path) -> None:
    """A model named ``m [x]`` used to vanish from the lists and a ``[/x]`` in a reason to crash them."""
    from zebench.results.models import EvaluationResult, RunRecord, RunStatus
    from zebench.store import open_store

    (tmp_path / "results").mkdir()
    with open_store(f"sqlite:///{tmp_path / 'results' / 'zebench.db'}") as store:
        store.save_run(
            RunRecord(
                run_id="run_1700000000000_markup01", batch_id="batch_1700000000000", suite="s", scenario="sc",
                tier="L1", agent="openai", model="local [q4]", status=RunStatus.COMPLETED, total_score=0.5,
                reason="test [/tmp] failed \x1b[31m",
                evaluations=[EvaluationResult(name="test", score=0.5, summary="test_a[/x] failed", required=True)],
            )
        )  # fmt: skip
    for args in (("runs",), ("run", "markup01"), ("batch", "batch_1700000000000"), ("runs", "--wide")):
        proc = zb(*args, check=0)
        assert "Traceback" not in proc.stderr
        assert "local [q4]" in proc.stdout, args
    shown = zb("run", "markup01", check=0).stdout
    assert "test [/tmp] failed \\x1b[31m" in shown and "test_a[/x] failed" in shown and "\x1b" not in shown
