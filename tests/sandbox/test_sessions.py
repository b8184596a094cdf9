"""Sandbox sessions: one bubblewrap sandbox per phase of a run, with per-command guarantees kept."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sandboxkit import ScriptAgent, make_scenario, require_bwrap, run_agent

from zebench.results.models import RunStatus
from zebench.sandbox import BwrapCommandRunner, SandboxLayout, create_runner
from zebench.scenarios.model import EvaluatorSpec, ValidationCommand


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    require_bwrap()


def test_commands_of_a_phase_share_one_sandbox(tmp_path: Path) -> None:
    runner = BwrapCommandRunner()
    try:
        # The same pid namespace: the sandbox's init and the session's server are always there.
        ids = {runner.run("readlink /proc/self/ns/pid", tmp_path).stdout for _ in range(3)}
        runner.next_phase()
        ids.add(runner.run("readlink /proc/self/ns/pid", tmp_path).stdout)
    finally:
        runner.close(wait=True)
    assert len(ids) == 2  # one namespace for the first phase, a new one for the next


def test_a_phase_known_to_run_one_command_runs_it_in_a_sandbox_of_its_own(tmp_path: Path) -> None:
    runner = BwrapCommandRunner()
    try:
        agent = {runner.run("readlink /proc/self/ns/pid", tmp_path).stdout for _ in range(2)}
        runner.prepare_next(tmp_path, commands=1)
        assert runner._sessions.standby is None  # nothing started ahead for a one-command phase
        runner.next_phase()
        only = runner.run("readlink /proc/self/ns/pid; echo here > /tmp/mark; id -u", tmp_path)
        assert runner._sessions.current is None  # no session, no command server
        # Had the count been wrong, later commands get a session: same isolation, fresh /tmp.
        later = [runner.run("readlink /proc/self/ns/pid; cat /tmp/mark", tmp_path) for _ in range(2)]
    finally:
        runner.close(wait=True)
    assert len(agent) == 1  # the agent's phase still shares one sandbox
    namespace, uid = only.stdout.split()
    assert namespace not in agent and uid == "65534" and only.exit_code == 0
    assert later[0].exit_code != 0 and "here" not in later[0].stdout  # not the one-off's /tmp
    assert later[0].stdout.split()[0] == later[1].stdout.split()[0] != namespace  # one session


def test_a_phase_of_several_commands_still_starts_its_session_ahead(tmp_path: Path) -> None:
    runner = BwrapCommandRunner()
    try:
        runner.prepare_next(tmp_path, commands=2)
        assert runner._sessions.standby is not None
        runner.next_phase()
        ids = {runner.run("readlink /proc/self/ns/pid", tmp_path).stdout for _ in range(2)}
    finally:
        runner.close(wait=True)
    assert len(ids) == 1


def test_a_session_that_cannot_start_falls_back_and_runs_each_command_once(tmp_path: Path) -> None:
    # Without the harness's Python inside, the session's server cannot start.
    runner = BwrapCommandRunner(layout=SandboxLayout(read_only=()))
    try:
        first = runner.run("echo run >> count; echo ok", tmp_path)
        second = runner.run("echo run >> count; echo ok", tmp_path)
    finally:
        runner.close(wait=True)
    assert first.stdout == second.stdout == "ok\n"
    assert (tmp_path / "count").read_text() == "run\nrun\n"


def test_cancel_stops_a_command_and_the_runner_goes_on(tmp_path: Path) -> None:
    cancel = threading.Event()
    runner = BwrapCommandRunner().with_cancel(cancel)
    raised: list[BaseException] = []

    def long_command() -> None:
        try:
            runner.run("sleep 30", tmp_path, timeout_s=60)
        except KeyboardInterrupt as exc:
            raised.append(exc)

    thread = threading.Thread(target=long_command)
    started = time.monotonic()
    thread.start()
    time.sleep(1.0)
    cancel.set()
    thread.join(timeout=15)
    assert raised and time.monotonic() - started < 10
    cancel.clear()
    try:
        assert runner.run("echo again", tmp_path).stdout == "again\n"
    finally:
        runner.close(wait=True)  # type: ignore[attr-defined]


def test_nothing_of_the_agent_phase_reaches_validation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The agent's /tmp, HOME and background processes are gone before hidden tests arrive."""
    scenario = make_scenario(
        tmp_path,
        validation=[
            ValidationCommand(
                name="look",
                kind="test",
                command="ls -a /tmp $HOME; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; echo; ls",
            )
        ],
        evaluators=[EvaluatorSpec(name="test")],
    )
    agent = ScriptAgent(
        [
            "echo planted > /tmp/agent-file; echo planted > $HOME/.agent-rc",
            "(sleep 300 &) ; nohup sleep 301 >/dev/null 2>&1 &",
            "ls /tmp",
        ]
    )
    record, _ = run_agent(monkeypatch, tmp_path, scenario, agent, create_runner("bwrap", scenario))
    assert record.status == RunStatus.COMPLETED
    assert "agent-file" in agent.outputs[2]  # within the agent's phase, /tmp persists
    look = record.validation[0]
    assert "agent-file" not in look.stdout and ".agent-rc" not in look.stdout
    assert "sleep 30" not in look.stdout
    assert "test_HIDDEN-MARKER" in look.stdout  # the hidden tests were copied in for validation
