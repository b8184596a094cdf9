"""Scripts: loading and validation, reply selection, concurrency, request recording, ``serve``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from zebench.errors import ZebenchError
from zebench.llm.fake import FakeLLMServer, load_script, parse_script

YAML_SCRIPT = """\
models: [fake-model]
turns:
  - text: "Let me look."
    tool_calls: [{name: read_file, arguments: {path: app.py}}]
  - text: "Done."
rules:
  - match: "Traceback"
    reply: {text: "I see an error.", tool_calls: [{name: run_command, arguments: {command: pytest}}]}
default: {text: "ok"}
usage: {input_tokens: 120, output_tokens: 40, cache_read_input_tokens: 0, cache_creation_input_tokens: 0}
cost: null
faults:
  - {at: 9, kind: status, status: 429, retry_after: 1}
"""


# --- loading ------------------------------------------------------------------------------------


def test_load_yaml_script(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(YAML_SCRIPT)
    script = load_script(path)
    assert [m.id for m in script.models] == ["fake-model"]
    assert script.turns[0].tool_calls[0].arguments == {"path": "app.py"}
    assert script.turns[0].effective_stop_reason() == "tool_use"
    assert script.turns[1].effective_stop_reason() == "end_turn"
    assert script.rules[0].match == "Traceback"
    assert script.fault_at(9) is not None and script.fault_at(9).retry_after == 1  # type: ignore[union-attr]


def test_load_json_script(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"default": {"text": '{"score": 0.8, "reason": "fine"}'}}))
    script = load_script(path)
    assert json.loads(script.default.text) == {"score": 0.8, "reason": "fine"}


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ("turns:\n  - text: hi\n    tool_call: []\n", "turns.0.tool_call", "Extra inputs"),
        ("turns:\n  - tool_calls: [{arguments: {}}]\n", "turns.0.tool_calls.0.name", "required"),
        ("faults:\n  - {at: 0, kind: drop}\n", "faults.0.at", "greater than or equal to 1"),
        ("faults:\n  - {at: 1, kind: explode}\n", "faults.0.kind", "Input should be"),
        ("rules:\n  - {match: '(', reply: {text: x}}\n", "rules.0.match", "not a valid regular expression"),
        ("default: {text: x, stop_reason: maybe}\n", "default.stop_reason", "Input should be"),
    ],
)
def test_bad_script_names_file_and_field(tmp_path: Path, content: str, field: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ZebenchError) as caught:
        load_script(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert message in caught.value.message
    assert str(path) in str(caught.value)


def test_unparseable_and_missing_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("turns: [unclosed\n")
    with pytest.raises(ZebenchError, match="not valid YAML"):
        load_script(broken)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    with pytest.raises(ZebenchError, match="not valid JSON"):
        load_script(bad_json)
    not_a_mapping = tmp_path / "list.yaml"
    not_a_mapping.write_text("- a\n- b\n")
    with pytest.raises(ZebenchError, match="must be a mapping"):
        load_script(not_a_mapping)
    with pytest.raises(ZebenchError, match="cannot read"):
        load_script(tmp_path / "missing.yaml")


def test_empty_file_is_the_default_script(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    script = load_script(path)
    assert script.select(0, "hello") == (script.default, "default")
    assert script.default.text == "ok"


def test_duplicate_fault_numbers_rejected() -> None:
    with pytest.raises(ZebenchError, match="two faults at request 2"):
        parse_script({"faults": [{"at": 2, "kind": "drop"}, {"at": 2, "kind": "truncate"}]})


# --- selection ----------------------------------------------------------------------------------


def test_rules_match_tool_results_before_turns(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text(YAML_SCRIPT)
    with FakeLLMServer(load_script(path)) as fake:
        api = anthropic.Anthropic(base_url=fake.url, api_key="sk-fake", max_retries=0)
        tool_result: Any = {
            "type": "tool_result",
            "tool_use_id": "toolu_1",
            "content": [{"type": "text", "text": "Traceback (most recent call last)"}],
        }
        message = api.messages.create(
            model="fake-model",
            max_tokens=10,
            messages=[
                {"role": "user", "content": "fix it"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "toolu_1", "name": "run", "input": {}}],
                },
                {"role": "user", "content": [tool_result]},
            ],
        )
        assert message.content[0].text == "I see an error."  # type: ignore[union-attr]
        assert message.content[1].name == "run_command"  # type: ignore[union-attr]
        # The same rule fires for an OpenAI tool message.
        completion = openai.OpenAI(base_url=fake.openai_base_url, api_key="k").chat.completions.create(
            model="fake-model",
            messages=[
                {"role": "user", "content": "fix it"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "run", "arguments": "{}"}}
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "Traceback: boom"},
            ],
        )
        assert completion.choices[0].message.content == "I see an error."
        # Only the LAST message counts: an earlier Traceback does not trigger the rule.
        later = api.messages.create(
            model="fake-model",
            max_tokens=10,
            messages=[
                {"role": "user", "content": "Traceback in the prompt"},
                {"role": "assistant", "content": "looking"},
                {"role": "user", "content": "thanks"},
            ],
        )
        assert later.content[0].text == "Done."  # type: ignore[union-attr]
        assert [r.outcome for r in fake.requests] == ["rule 0", "rule 0", "turn 1"]


def test_turns_exhausted_fall_back_to_default() -> None:
    script = parse_script({"turns": [{"text": "first"}], "default": {"text": "fallback"}})
    assert script.select(0, "")[0].text == "first"
    assert script.select(1, "") == (script.default, "default")
    assert script.select(5, "") == (script.default, "default")


def test_turn_selection_is_per_conversation_under_concurrency() -> None:
    script = parse_script(
        {"turns": [{"text": "turn-0"}, {"text": "turn-1"}, {"text": "turn-2"}], "default": {"text": "extra"}}
    )
    errors: list[BaseException] = []
    seen: dict[int, list[str]] = {}

    with FakeLLMServer(script) as fake:

        def conversation(worker: int) -> None:
            try:
                api = anthropic.Anthropic(base_url=fake.url, api_key="sk-fake", max_retries=0)
                messages: list[dict[str, str]] = [{"role": "user", "content": f"worker {worker}"}]
                replies = []
                for _ in range(4):
                    reply = api.messages.create(model="fake-model", max_tokens=10, messages=messages)  # type: ignore[arg-type]
                    text = reply.content[0].text  # type: ignore[union-attr]
                    replies.append(text)
                    messages += [{"role": "assistant", "content": text}, {"role": "user", "content": "go on"}]
                seen[worker] = replies
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=conversation, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(fake.requests) == 24
        assert sorted(r.number for r in fake.requests) == list(range(1, 25))
    assert not errors
    assert all(replies == ["turn-0", "turn-1", "turn-2", "extra"] for replies in seen.values())
    assert len(seen) == 6


# --- recording ----------------------------------------------------------------------------------


def test_requests_are_recorded_with_headers_query_and_body() -> None:
    with FakeLLMServer(parse_script({})) as fake:
        api = anthropic.Anthropic(base_url=fake.url, api_key="sk-fake-recorded", max_retries=0)
        api.messages.create(model="fake-model", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
        httpx2.post(
            fake.url + "/v1/messages?beta=true",
            json={"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "q"}]},
        )
        openai.OpenAI(base_url=fake.openai_base_url, api_key="sk-fake-openai").models.list()
        first, second, third = fake.requests
        assert first.method == "POST" and first.path == "/v1/messages" and first.number == 1
        # SDK versions differ: older ones send x-api-key, newer ones a bearer authorization header.
        assert "sk-fake-recorded" in first.headers.get("x-api-key", "") + first.headers.get(
            "authorization", ""
        )
        assert first.headers["anthropic-version"]
        assert first.body["messages"] == [{"role": "user", "content": "hi"}]
        assert first.body["max_tokens"] == 10
        assert second.query == {"beta": ["true"]} and second.path == "/v1/messages"
        assert third.method == "GET" and third.headers["authorization"] == "Bearer sk-fake-openai"
        assert first.timestamp <= second.timestamp <= third.timestamp
        assert fake.requests_to("/v1/models") == [third]
        fake.clear_requests()
        assert fake.requests == []


def test_url_needs_a_started_server() -> None:
    server = FakeLLMServer(parse_script({}))
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    try:
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        assert server.openai_base_url == server.url + "/v1"
        assert httpx2.get(server.url + "/").json()["status"] == "ok"
    finally:
        server.stop()
        server.stop()  # idempotent


# --- serve (the `zebench fake-llm` command) ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_url_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    path = tmp_path / "script.yaml"
    path.write_text("default: {text: served}\n")
    port = _free_port()
    code = f"from pathlib import Path; from zebench.llm.fake import serve; serve(Path({str(path)!r}), '127.0.0.1', {port})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line
        api = anthropic.Anthropic(base_url=f"http://127.0.0.1:{port}", api_key="sk-fake", max_retries=0)
        reply = api.messages.create(
            model="fake-model", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        )
        assert reply.content[0].text == "served"  # type: ignore[union-attr]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
    assert "POST /v1/messages" in err  # the access line
