"""The tool loop's batch integration: the shared rate limiter and the cancel event."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_tool_loop import KEY, make_task, options

from zebench.agents.anthropic import AnthropicAgent
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeFault, FakeLLMServer, FakeReply, FakeScript, FakeToolCall
from zebench.runner.limiter import ProviderLimiters

LOOK = FakeReply(tool_calls=[FakeToolCall(name="list_directory", arguments={"path": "."})])


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)


def test_each_call_holds_a_limiter_slot_and_429s_cut_the_limit(tmp_path: Path) -> None:
    limiters = ProviderLimiters(4)
    script = FakeScript(
        turns=[LOOK, FakeReply(text="done")],
        faults=[FakeFault(at=1, kind="status", status=429, retry_after=0.01)],
    )
    with FakeLLMServer(script) as fake:
        opts = options(fake, extra={"limiter": limiters})
        result = AnthropicAgent(opts).run(make_task(tmp_path))
    assert result.status == "completed" and result.turns == 2
    lim = limiters.get("anthropic")
    assert lim.cuts == 1 and lim.in_flight == 0  # the 429 was reported; every slot came back


def test_limiter_from_task_extra_is_used(tmp_path: Path) -> None:
    limiters = ProviderLimiters(2)
    with FakeLLMServer(FakeScript(turns=[FakeReply(text="done")])) as fake:
        AnthropicAgent(options(fake)).run(make_task(tmp_path, limiter=limiters))
    assert "anthropic" in limiters.snapshot()


def test_a_set_cancel_event_stops_the_loop_at_the_next_turn(tmp_path: Path) -> None:
    cancel = threading.Event()
    seen: list[int] = []

    def tool_called(*_: object) -> None:
        seen.append(1)
        cancel.set()  # Ctrl-C arrives while the first turn's tools run

    with FakeLLMServer(FakeScript(turns=[LOOK, LOOK, FakeReply(text="done")])) as fake:
        task = make_task(tmp_path, cancel=cancel)
        original = task.tools.call

        def call(name: str, arguments: dict[str, object]) -> object:
            tool_called()
            return original(name, arguments)

        task.tools.call = call  # type: ignore[method-assign,assignment]
        with pytest.raises(KeyboardInterrupt):
            AnthropicAgent(options(fake)).run(task)
    assert seen == [1]  # the second turn's tools never ran
