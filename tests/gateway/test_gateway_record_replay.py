"""Recording at the gateway, wire and stream included, and replaying it to any client with no provider."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import openai
import pytest
from gatewaykit import fake_and_gateway

from zebench.gateway import GatewayRecordingError, ModelGateway, fake_upstreams, find_recording
from zebench.llm.fake import FakeLLMServer, parse_script

MSG = [{"role": "user", "content": "go"}]


def _record(folder: Path, run: str = "run_1") -> list[object]:
    with fake_and_gateway(record_dir=folder / run / "gateway") as (_fake, gw):
        a = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        a.messages.create(model="fake-model", max_tokens=9, messages=MSG)  # type: ignore[arg-type]
        o = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        with o.responses.stream(model="fake-model", input="go") as stream:
            stream.get_final_response()
    # Read after the gateway has stopped: a streamed call is recorded as its stream closes.
    return [c.usage for c in gw.calls]


def test_a_recording_replays_to_the_same_clients_without_a_provider(tmp_path: Path) -> None:
    recorded_usage = _record(tmp_path)
    folder = find_recording(tmp_path)
    assert folder == tmp_path / "run_1" / "gateway"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["0001.json", "0002.json", "meta.json"]
    text = "".join((folder / name).read_text() for name in files)
    assert "fake-key" not in text and "zebench-gateway-" not in text  # no key of either side
    streamed = json.loads((folder / "0002.json").read_text())
    assert streamed["stream"] is True and streamed["events"][-1].startswith("event: response.completed")
    with ModelGateway(replay_dir=tmp_path) as gw:  # no upstream at all
        a = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        message = a.messages.create(model="fake-model", max_tokens=9, messages=MSG)  # type: ignore[arg-type]
        assert message.content[0].type == "text"
        o = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        with o.responses.stream(model="fake-model", input="go") as stream:
            final = stream.get_final_response()
        assert [i.type for i in final.output] == ["message", "function_call"]
        assert [c.usage for c in gw.calls] == recorded_usage
        assert all(c.replayed and c.cost_usd == 0.0 for c in gw.calls)
        assert gw.replay_remaining == 0 and gw.verdict is None


def test_a_run_that_asks_for_something_else_diverges(tmp_path: Path) -> None:
    _record(tmp_path)
    with ModelGateway(replay_dir=tmp_path) as gw:
        a = anthropic.Anthropic(base_url=gw.host_url, api_key=gw.api_key, max_retries=0)
        with pytest.raises(anthropic.BadRequestError, match="replay diverged"):
            a.messages.create(model="another-model", max_tokens=9, messages=MSG)  # type: ignore[arg-type]
        o = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        with pytest.raises(openai.BadRequestError, match="one more openai-chat call"):
            o.chat.completions.create(model="fake-model", messages=MSG)  # type: ignore[arg-type]
        assert gw.verdict is not None and gw.verdict.status == "failed"
        assert "replay diverged" in gw.verdict.reason


def test_a_missing_or_ambiguous_recording_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(GatewayRecordingError, match="does not exist"):
        ModelGateway(replay_dir=tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GatewayRecordingError, match="no gateway recording"):
        ModelGateway(replay_dir=tmp_path / "empty")
    for run in ("run_a", "run_b"):
        _record(tmp_path / "two", run)
    with pytest.raises(GatewayRecordingError, match="2 recordings found"):
        ModelGateway(replay_dir=tmp_path / "two")


def test_the_stop_of_a_gateway_ends_an_unfinished_stream_as_interrupted() -> None:
    script = parse_script({"default": {"text": "x" * 20000}})
    with FakeLLMServer(script) as fake:
        gw = ModelGateway(fake_upstreams(fake.url)).start()
        client = openai.OpenAI(base_url=gw.host_url + "/v1", api_key=gw.api_key, max_retries=0)
        stream = client.chat.completions.create(model="m", messages=MSG, stream=True)  # type: ignore[arg-type]
        next(iter(stream))  # the reply has started
        stream.close()  # the agent hangs up mid-reply
        gw.stop()
    (call,) = gw.calls
    assert call.status == 200 and call.error_class in ("interrupted", None)
