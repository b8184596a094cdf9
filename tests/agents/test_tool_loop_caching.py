"""The tool loop's prompt-cache breakpoints and context trimming, against the caching fake LLM.

The fake bills caching as Anthropic and OpenAI do (``zebench.llm.fake.caching``), so these tests
prove what the breakpoints save and that a trimmed conversation stays valid for each provider.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from test_tool_loop import KEY, make_task

from zebench.agents.anthropic import AnthropicAgent
from zebench.agents.base import AgentOptions
from zebench.agents.context import KEEP_RECENT, PLACEHOLDER, ContextTrimmer, estimate_tokens
from zebench.agents.openai_compat import OpenAIAgent
from zebench.llm.config import API_KEY_ENV, BASE_URL_ENV
from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript, FakeToolCall, FakeUsage
from zebench.llm.fake.script import FakeCaching
from zebench.llm.types import LLMMessage, TextBlock, ToolResultBlock, ToolUseBlock


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in [*API_KEY_ENV.values(), *BASE_URL_ENV.values(), "ZEBENCH_PRICING_FILE"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.chdir(tmp_path)


def growing_script(turns: int, lines: int = 300) -> FakeScript:
    """``turns`` commands whose output grows by ``lines`` lines each turn, then a summary."""
    replies = [
        FakeReply(
            text=f"Step {k}.",
            tool_calls=[FakeToolCall(name="run_command", arguments={"command": f"seq 1 {lines * k}"})],
        )
        for k in range(1, turns + 1)
    ]
    return FakeScript(
        turns=[*replies, FakeReply(text="Done.")], usage=FakeUsage(output_tokens=30), caching=FakeCaching()
    )


def run(tmp_path: Path, fake: FakeLLMServer, agent_cls: type = AnthropicAgent, **kw: Any) -> Any:
    url = fake.url if agent_cls is AnthropicAgent else fake.openai_base_url
    model = "claude-sonnet-4-6" if agent_cls is AnthropicAgent else "gpt-4.1"
    opts = AgentOptions(base_url=url, model=model, extra={"backoff_base_s": 0.01}, **kw)
    task = make_task(tmp_path)
    # A system prompt of a specialist's length: with the tools, past Anthropic's 1,024-token minimum.
    task.system_prompt = "You are careful. " + "Read the code before you change it. " * 60
    return agent_cls(opts).run(task), task


def call_usages(task: Any) -> list[dict[str, int]]:
    return [s.usage for s in task.trajectory.steps if s.type == "llm_call"]


def breakpoints(body: dict[str, Any]) -> list[str]:
    """Where a Messages request carries cache_control: tool N, system, message N."""
    found = [f"tool {i}" for i, t in enumerate(body.get("tools", [])) if "cache_control" in t]
    system = body.get("system")
    if isinstance(system, list):
        found += ["system" for block in system if "cache_control" in block]
    for i, message in enumerate(body["messages"]):
        content = message["content"]
        if isinstance(content, list):
            found += [f"message {i}" for block in content if "cache_control" in block]
    return found


def test_breakpoints_sit_on_tools_system_and_the_last_two_user_turns(tmp_path: Path) -> None:
    with FakeLLMServer(growing_script(6)) as fake:
        result, task = run(tmp_path, fake)
        bodies = [r.body for r in fake.requests_to("/v1/messages")]
    assert result.status == "completed", result.reason
    last_tool = f"tool {len(bodies[0]['tools']) - 1}"
    assert breakpoints(bodies[0]) == [last_tool, "system", "message 0"]
    for body in bodies[1:]:
        n = len(body["messages"])  # user, (assistant, user)*: the last two user turns are n-3 and n-1
        assert breakpoints(body) == [last_tool, "system", f"message {n - 3}", f"message {n - 1}"]
    # Each request reads the whole prefix the one before wrote, writes only its new turn, and
    # pays the plain input price for nothing.
    usages = call_usages(task)
    assert usages[0]["cache_read"] == 0 and usages[0]["cache_write"] > 1024
    for before, after in itertools.pairwise(usages):
        assert after["cache_read"] == before["cache_read"] + before["cache_write"]
        assert after["input"] == 0 and after["cache_write"] > 0
    assert task.trajectory.steps[2].content["request"]["prompt_cache"] is True


def test_breakpoints_make_a_long_run_at_least_three_times_cheaper(tmp_path: Path) -> None:
    costs, equivalents = {}, {}
    for cache in (True, False):
        with FakeLLMServer(growing_script(16)) as fake:
            (tmp_path / str(cache)).mkdir()
            result, _ = run(tmp_path / str(cache), fake, prompt_cache=cache)
            bodies = [r.body for r in fake.requests_to("/v1/messages")]
        assert result.status == "completed" and result.turns == 17
        usage = result.usage
        if not cache:
            assert not any(breakpoints(b) for b in bodies)
            assert usage.cache_read == 0 and usage.cache_write == 0
        # In units of the input price: Anthropic reads at 0.1x and writes at 1.25x.
        equivalents[cache] = usage.input + 0.1 * usage.cache_read + 1.25 * usage.cache_write
        # claude-sonnet-4-6, by hand: $3 in, $15 out, $0.30 read, $3.75 write per million.
        hand = (usage.input * 3 + usage.output * 15 + usage.cache_read * 0.3 + usage.cache_write * 3.75) / 1e6
        assert result.cost_usd == pytest.approx(hand, abs=1e-6)
        costs[cache] = result.cost_usd
    prompt_tokens_uncached = equivalents[False]
    assert prompt_tokens_uncached / equivalents[True] >= 3
    assert costs[False] / costs[True] >= 3


# --- context trimming --------------------------------------------------------------------------


def assert_anthropic_pairs(body: dict[str, Any]) -> None:
    """Anthropic's rule: each tool_use is answered by a tool_result in the very next message, and
    each tool_result answers a tool_use of the message before it."""
    messages = body["messages"]
    for i, message in enumerate(messages):
        blocks = message["content"] if isinstance(message["content"], list) else []
        results = {b["tool_use_id"] for b in blocks if b["type"] == "tool_result"}
        if results:
            before = messages[i - 1]["content"]
            assert messages[i - 1]["role"] == "assistant"
            assert results <= {b["id"] for b in before if b["type"] == "tool_use"}
        uses = {b["id"] for b in blocks if b["type"] == "tool_use"}
        if uses:
            after = messages[i + 1]["content"]
            assert uses == {b["tool_use_id"] for b in after if b["type"] == "tool_result"}


def assert_openai_pairs(body: dict[str, Any]) -> None:
    """OpenAI's rule: an assistant message's tool_calls are each answered by a tool message right
    after it, and a tool message answers a call of the assistant message before the run."""
    messages = body["messages"]
    for i, message in enumerate(messages):
        calls = {c["id"] for c in message.get("tool_calls") or []}
        if calls:
            answered = set()
            for later in messages[i + 1 :]:
                if later["role"] != "tool":
                    break
                answered.add(later["tool_call_id"])
            assert answered == calls
        if message["role"] == "tool":
            j = i
            while messages[j]["role"] == "tool":
                j -= 1
            assert message["tool_call_id"] in {c["id"] for c in messages[j].get("tool_calls") or []}


@pytest.mark.parametrize("agent_cls", [AnthropicAgent, OpenAIAgent])
def test_trimming_keeps_the_conversation_valid_and_is_recorded(tmp_path: Path, agent_cls: type) -> None:
    budget = 6000
    with FakeLLMServer(growing_script(10, lines=200)) as fake:
        result, task = run(tmp_path, fake, agent_cls, context_budget=budget)
        path = "/v1/messages" if agent_cls is AnthropicAgent else "/v1/chat/completions"
        bodies = [r.body for r in fake.requests_to(path)]
    assert result.status == "completed" and result.turns == 11, result.reason
    check = assert_anthropic_pairs if agent_cls is AnthropicAgent else assert_openai_pairs
    for body in bodies:
        check(body)
    notes = [s for s in task.trajectory.steps if s.type == "note" and s.meta.get("kind") == "context_trim"]
    assert notes, "the context passed its budget, so something was trimmed"
    for note in notes:
        assert note.meta["budget"] == budget and note.meta["tokens_before"] > budget
        assert note.meta["tokens_after"] < note.meta["tokens_before"] and note.meta["trimmed"]
        assert note.meta["tokens_trimmed"] == note.meta["tokens_before"] - note.meta["tokens_after"]
        for item in note.meta["trimmed"]:
            assert item["tool"] == "run_command" and item["tokens"] >= 100
    trimmed_ids = [item["tool_use_id"] for note in notes for item in note.meta["trimmed"]]
    assert len(trimmed_ids) == len(set(trimmed_ids))  # nothing trimmed twice
    assert result.metadata["context"] == {
        "budget": budget,
        "trims": len(notes),
        "tokens_trimmed": sum(n.meta["tokens_trimmed"] for n in notes),
    }
    last = str(bodies[-1]["messages"])
    assert "zebench trimmed this old tool output" in last
    # The newest outputs reach the model whole.
    assert f"\\n{200 * 10}" in last or f"\n{200 * 10}" in last


def test_trimming_breaks_the_cache_only_when_it_trims(tmp_path: Path) -> None:
    with FakeLLMServer(growing_script(12, lines=200)) as fake:
        result, task = run(tmp_path, fake, context_budget=8000)
    usages = call_usages(task)
    trims = [s for s in task.trajectory.steps if s.type == "note" and s.meta.get("kind") == "context_trim"]
    assert result.status == "completed" and trims
    # A request reads less than its predecessor's whole prefix only right after a trim.
    broken = sum(
        1
        for before, after in itertools.pairwise(usages)
        if after["cache_read"] < before["cache_read"] + before["cache_write"]
    )
    assert broken == len(trims)
    assert all(u["cache_read"] > 0 for u in usages[1:])  # the tools and system prompt stay cached


# --- the trimmer itself ------------------------------------------------------------------------


def conversation(sizes: list[int]) -> list[LLMMessage]:
    messages = [LLMMessage(role="user", content="task")]
    for i, size in enumerate(sizes):
        messages.append(
            LLMMessage(
                role="assistant", content=[TextBlock(text="go"), ToolUseBlock(id=f"t{i}", name="read_file")]
            )
        )
        messages.append(
            LLMMessage(role="user", content=[ToolResultBlock(tool_use_id=f"t{i}", content="x" * size)])
        )
    return messages


def outputs(messages: list[LLMMessage]) -> list[str]:
    return [
        b.content
        for m in messages
        if not isinstance(m.content, str)
        for b in m.content
        if isinstance(b, ToolResultBlock)
    ]


def test_the_trimmer_takes_the_oldest_first_down_to_half_the_budget() -> None:
    messages = conversation([2000] * 16)  # 500 tokens an output
    trimmer = ContextTrimmer(budget=6000)
    assert trimmer.trim(conversation([2000] * 11)) is None  # 5,500-odd tokens: within budget
    done = trimmer.trim(messages)
    assert done is not None and done.tokens_before > 6000 and done.tokens_after <= 3000
    texts = outputs(messages)
    trimmed = [t for t in texts if t.startswith("[zebench trimmed")]
    assert texts[: len(trimmed)] == trimmed  # the oldest ones
    assert all(t == "x" * 2000 for t in texts[len(trimmed) :])  # the newer ones are whole
    assert len(texts) - len(trimmed) >= KEEP_RECENT
    assert trimmed[0] == PLACEHOLDER.format(tokens=500)
    assert [o.tool for o in done.outputs] == ["read_file"] * len(trimmed)
    assert sum(o.tokens for o in done.outputs) == 500 * len(trimmed)
    # Trimmed placeholders never change again; a second call with nothing new trims nothing.
    before = [m.model_dump() for m in messages]
    assert trimmer.trim(messages) is None
    assert [m.model_dump() for m in messages] == before


def test_the_trimmer_leaves_small_and_recent_outputs_alone() -> None:
    messages = conversation([200] * 30 + [40_000] * 3)  # small old outputs, three huge recent ones
    done = ContextTrimmer(budget=5000).trim(messages)
    assert done is None  # nothing it may trim: still over budget, but no output worth breaking the cache for
    assert outputs(messages) == ["x" * 200] * 30 + ["x" * 40_000] * 3
    assert estimate_tokens("x" * 200) < 100
