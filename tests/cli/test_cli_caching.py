"""``--prompt-cache`` and ``--context-budget`` end to end: a run through the CLI, the gateway and the
caching fake LLM stores its cache reads and writes and its cost, and its trims in the trajectory."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import CliRun, as_json

from zebench.llm.fake import FakeCaching, FakeLLMServer, FakeReply, FakeScript, FakeToolCall, FakeUsage

FIX = (
    'sed -i \'s/"d": 24 \\* 60,/"d": 24 * 60 * 60,/; '
    "s/amount = remaining \\/\\/ size/amount, remaining = divmod(remaining, size)/' textkit/durations.py && "
    "sed -i 's/slug = _NON_ALNUM.sub(separator, ascii_text)$/slug = _NON_ALNUM.sub(separator, ascii_text)"
    ".strip(separator)/' textkit/slugs.py"
)


def script() -> FakeScript:
    """Five commands with long outputs, the fix, the tests, a summary."""
    looks = [
        FakeReply(
            text=f"Looking {k}.",
            tool_calls=[FakeToolCall(name="run_command", arguments={"command": f"seq 1 {600 * k}"})],
        )
        for k in range(1, 6)
    ]
    return FakeScript(
        turns=[
            *looks,
            FakeReply(
                text="Fixing.", tool_calls=[FakeToolCall(name="run_command", arguments={"command": FIX})]
            ),
            FakeReply(
                tool_calls=[
                    FakeToolCall(
                        name="run_command", arguments={"command": "python3 -m unittest discover -s tests"}
                    )
                ]
            ),
            FakeReply(text="Fixed the three bugs."),
        ],
        usage=FakeUsage(output_tokens=25),
        caching=FakeCaching(),
    )


def bench(zb: CliRun, fake: FakeLLMServer, *flags: str) -> dict:  # type: ignore[type-arg]
    proc = zb(
        "bench", "examples", "fix-failing-tests", "--agent", "anthropic", "--model", "claude-sonnet-4-6",
        "--skip-warmup", "--sandbox", "none", "--json", *flags,
        ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=fake.url,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return as_json(proc)  # type: ignore[no-any-return]


def test_a_cached_run_stores_its_reads_writes_and_cost(zb: CliRun) -> None:
    with FakeLLMServer(script()) as fake:
        cached = bench(zb, fake)
        marked = [r.body for r in fake.requests_to("/v1/messages")]
        fake.clear_requests()
        plain = bench(zb, fake, "--no-prompt-cache")
        unmarked = [r.body for r in fake.requests_to("/v1/messages")]
    for run in (cached, plain):
        assert run["status"] == "completed" and run["is_successful"] is True, run["reason"]
        assert run["telemetry"]["cost_kind"] == "estimated"
    assert all("cache_control" in str(body) for body in marked)
    assert not any("cache_control" in str(body) for body in unmarked)
    tokens, plain_tokens = cached["telemetry"]["tokens"], plain["telemetry"]["tokens"]
    assert tokens["cache_read"] > 0 and tokens["cache_write"] > 0
    assert plain_tokens["cache_read"] == plain_tokens["cache_write"] == 0
    # The same prompts either way: every token is read, written or plain input, once.
    assert sum(tokens[k] for k in ("input", "cache_read", "cache_write")) == plain_tokens["input"]
    # The gateway priced it (claude-sonnet-4-6: $3 in, $15 out, $0.30 read, $3.75 write per million).
    hand = (
        tokens["input"] * 3
        + tokens["output"] * 15
        + tokens["cache_read"] * 0.3
        + tokens["cache_write"] * 3.75
    ) / 1e6
    assert abs(cached["telemetry"]["cost_usd"] - hand) < 1e-6
    assert cached["telemetry"]["cost_usd"] < plain["telemetry"]["cost_usd"]
    # What the same calls would have cost uncached is stored, and shown beside the cost.
    uncached = cached["metadata"]["model_gateway"]["cost_without_cache_usd"]
    assert abs(uncached - plain["telemetry"]["cost_usd"]) < 1e-6  # exactly what the run without it paid
    shown = zb("run", cached["run_id"], check=0).stdout
    assert "without the prompt cache" in shown


def test_context_budget_trims_and_the_trajectory_says_so(zb: CliRun) -> None:
    with FakeLLMServer(script()) as fake:
        run = bench(zb, fake, "--context-budget", "4000")
    assert run["status"] == "completed" and run["is_successful"] is True, run["reason"]
    shown = zb("run", run["run_id"], "--trajectory", check=0).stdout
    assert "context over its budget" in shown and "old tool output(s)" in shown
    assert "cache read" in shown  # each model call's tokens include what came from the cache
    full = as_json(zb("run", run["run_id"], "--trajectory", "--json", check=0))
    trims = [s for s in full["trajectory"] if s.get("meta", {}).get("kind") == "context_trim"]
    assert trims and all(t["meta"]["budget"] == 4000 and t["meta"]["trimmed"] for t in trims)


def test_out_of_range_budgets_are_refused(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--context-budget", "10", check=2)
    assert "--context-budget" in proc.stderr and "1000" in proc.stderr
    plan = tmp_path / "plan.yaml"
    plan.write_text("suite: examples\nscenarios: [fix-failing-tests]\noptions: {context_budget: 10}\n")
    proc = zb("bench", "--plan", str(plan), check=2)
    [line] = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "plan.yaml" in line and "context_budget" in line and "1000" in line
    assert "Traceback" not in proc.stderr


def test_the_flags_say_when_the_agent_ignores_them(zb: CliRun) -> None:
    proc = zb(
        "bench", "examples", "fix-failing-tests", "--agent", "echo", "--skip-warmup", "--sandbox", "none",
        "--context-budget", "5000", check=1,
    )  # fmt: skip
    assert "warning: --context-budget applies only to the tool-loop agents" in proc.stderr
    assert "echo ignores them" in proc.stderr
