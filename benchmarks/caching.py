"""Prompt caching on a long agent run: what a 40-turn run costs with and without it.

One scripted run of the ``anthropic`` tool-loop agent on ``examples fix-failing-tests``, through
the real pipeline, tool loop and model gateway, against the fake LLM with ``caching:`` on (it
bills caching as Anthropic does: only at the client's breakpoints, writes at 1.25x the input
price, reads at 0.1x; tokens are counted at about four characters a token). The model runs
``seq 1 N`` with N growing by ``--step`` lines each turn, so every tool output is longer than the
last, then fixes the bugs, runs the tests and stops. The same script runs:

- without the cache (``--no-prompt-cache``): every request re-bills its whole, growing context;
- with it (the default): each request reads what the previous one wrote;
- with it and ``--context-budget``: old tool outputs trimmed too;
- and, for comparison, the ``openai`` agent (gpt-4.1), whose provider caches by itself.

It prints each run's prompt tokens (read, written, plain), its billed input in input-token
equivalents (each token weighted by its price over the input price), its dollars (the bundled
prices) and its result, then whether the cache made the run at least 3x cheaper (the goal) and the
result the same (status, score, diff).

    python benchmarks/caching.py [--turns 40] [--step 100] [--budget 20000]

``measure_caching()`` returns the figures for ``benchmarks/summary.py``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from zebench.agents.base import AgentOptions
from zebench.llm.client import pricing_table
from zebench.llm.fake import FakeCaching, FakeLLMServer, FakeReply, FakeScript, FakeToolCall, FakeUsage
from zebench.results.models import RunRecord
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.sink import DiscardSink
from zebench.scenarios import load_scenario

GOAL = 3.0
ANTHROPIC_MODEL = "claude-sonnet-4-6"
OPENAI_MODEL = "gpt-4.1"
TESTS = "python3 -m unittest discover -s tests"
FIX = (
    'sed -i \'s/"d": 24 \\* 60,/"d": 24 * 60 * 60,/; '
    "s/amount = remaining \\/\\/ size/amount, remaining = divmod(remaining, size)/' textkit/durations.py && "
    "sed -i 's/slug = _NON_ALNUM.sub(separator, ascii_text)$/slug = _NON_ALNUM.sub(separator, ascii_text)"
    ".strip(separator)/' textkit/slugs.py"
)
# A system prompt of a specialist's length (about 900 tokens): with the tools it passes the
# 1,024-token minimum Anthropic caches, as real agents' prompts do.
SYSTEM_PROMPT = (
    "You are a careful Python maintainer. " + "Read the code and the tests before you change anything. " * 60
)


def script(turns: int, step: int) -> FakeScript:
    """``turns`` model calls: ``turns - 3`` commands with growing output, the fix, the tests, a summary."""
    looks = [
        FakeReply(
            text=f"Looking at the output, step {k}.",
            tool_calls=[FakeToolCall(name="run_command", arguments={"command": f"seq 1 {step * k}"})],
        )
        for k in range(1, turns - 2)
    ]
    return FakeScript(
        turns=[
            *looks,
            FakeReply(
                text="Fixing the three bugs.",
                tool_calls=[FakeToolCall(name="run_command", arguments={"command": FIX})],
            ),
            FakeReply(
                text="Running the tests.",
                tool_calls=[FakeToolCall(name="run_command", arguments={"command": TESTS})],
            ),
            FakeReply(text="Fixed the day length, the duration formatting and the slug separators."),
        ],
        usage=FakeUsage(output_tokens=60),
        caching=FakeCaching(),
    )


@dataclass
class Figures:
    """One run's figures."""

    label: str
    calls: int
    prompt_tokens: int  # every prompt token of every call: read + written + plain input
    cache_read: int
    cache_write: int
    plain_input: int
    output: int
    input_equivalent: float  # the prompt side's cost over the input price
    cost_usd: float
    cost_without_cache_usd: float | None
    status: str
    score: float
    successful: bool
    diff: str
    trims: int


def run_once(label: str, agent: str, fake: FakeLLMServer, root: Path, turns: int, **options: Any) -> Figures:
    """One run through the pipeline (tool loop, gateway, validation, scoring)."""
    scenario = load_scenario("examples", "fix-failing-tests")
    model = ANTHROPIC_MODEL if agent == "anthropic" else OPENAI_MODEL
    base_url = fake.url if agent == "anthropic" else fake.openai_base_url
    spec = RunSpec(
        scenario=scenario,
        tier="L1",
        agent=agent,
        batch_id="bench_caching",
        options=AgentOptions(model=model, base_url=base_url, max_turns=turns + 5, **options),
        workspace_root=root / "ws" / label.replace(" ", "_"),
        system_prompt=SYSTEM_PROMPT,
    )
    record = run_one(spec, DiscardSink())
    return figures(label, model, record)


def figures(label: str, model: str, record: RunRecord) -> Figures:
    tokens = record.telemetry.tokens
    price = pricing_table(None).lookup(model)
    assert price is not None, model
    read_price = price.input if price.cache_read is None else price.cache_read
    write_price = price.input if price.cache_write is None else price.cache_write
    gateway = record.metadata.get("model_gateway") or {}
    context = (record.metadata.get("agent") or {}).get("context") or {}
    return Figures(
        label=label,
        calls=record.telemetry.turns,
        prompt_tokens=tokens.input + tokens.cache_read + tokens.cache_write,
        cache_read=tokens.cache_read,
        cache_write=tokens.cache_write,
        plain_input=tokens.input,
        output=tokens.output,
        input_equivalent=tokens.input
        + tokens.cache_read * read_price / price.input
        + tokens.cache_write * write_price / price.input,
        cost_usd=record.telemetry.cost_usd or 0.0,
        cost_without_cache_usd=gateway.get("cost_without_cache_usd"),
        status=record.status.value,
        score=record.total_score,
        successful=record.is_successful,
        diff=record.artifacts.get("diff", ""),
        trims=int(context.get("trims", 0)),
    )


@contextmanager
def placeholder_keys() -> Iterator[None]:
    """Placeholder API keys for the run (the gateway forwards them to the fake), never a real one."""
    names = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: "sk-benchmark-placeholder" for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def measure_caching(turns: int = 40, step: int = 100, budget: int | None = 20_000) -> dict[str, Any]:
    """The figures: each run's, the cache's saving against the goal, and whether the result held."""
    runs: list[Figures] = []
    with (
        placeholder_keys(),
        tempfile.TemporaryDirectory(prefix="zb-caching-") as tmp,
        FakeLLMServer(script(turns, step)) as fake,
    ):
        root = Path(tmp)
        runs.append(run_once("no prompt cache", "anthropic", fake, root, turns, prompt_cache=False))
        runs.append(run_once("prompt cache", "anthropic", fake, root, turns))
        if budget is not None:
            label = f"prompt cache + budget {budget}"
            runs.append(run_once(label, "anthropic", fake, root, turns, context_budget=budget))
        runs.append(run_once("openai, automatic cache", "openai", fake, root, turns))
    plain, cached = runs[0], runs[1]
    anthropic_runs = runs[:-1]
    same = all(
        (r.status, r.score, r.successful, r.diff) == (plain.status, plain.score, plain.successful, plain.diff)
        for r in runs
    )
    input_ratio = plain.input_equivalent / cached.input_equivalent
    usd_ratio = plain.cost_usd / cached.cost_usd
    return {
        "turns": turns,
        "step": step,
        "model": ANTHROPIC_MODEL,
        "runs": [{k: v for k, v in asdict(r).items() if k != "diff"} for r in runs],
        "input_ratio": round(input_ratio, 2),
        "usd_ratio": round(usd_ratio, 2),
        "goal": GOAL,
        "met": min(input_ratio, usd_ratio) >= GOAL,
        "same_result": same,
        "all_turns": all(r.calls == turns for r in anthropic_runs),
    }


def summary_figures(repeats: int) -> dict[str, list[float]]:
    """The figures ``benchmarks/summary.py`` prints: dollars and billed input-token equivalents of
    the 40-turn run without and with the cache, and whether both ended alike (1.0).

    Measured once whatever ``repeats`` says: they are token counts from a scripted run, the same
    on every repetition and on any machine load, so repeating would only cost time.
    """
    del repeats
    result = measure_caching(budget=None)
    plain, cached = result["runs"][0], result["runs"][1]
    return {
        "uncached_usd": [plain["cost_usd"]],
        "cached_usd": [cached["cost_usd"]],
        "uncached_tokens": [plain["input_equivalent"]],
        "cached_tokens": [cached["input_equivalent"]],
        "same_result": [1.0 if result["same_result"] else 0.0],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"prompt caching on a {result['turns']}-turn run ({result['model']}; the fake LLM through the gateway; "
        f"tool output growing {result['step']} lines a turn)"
    )
    head = f"{'run':<30} {'calls':>5} {'prompt tok':>11} {'read':>10} {'written':>9} {'plain in':>9} {'billed in-eq':>12} {'cost':>9} {'uncached':>9} {'trims':>5}  result"
    print(head)
    for r in result["runs"]:
        uncached = f"${r['cost_without_cache_usd']:.4f}" if r["cost_without_cache_usd"] is not None else "-"
        verdict = "PASS" if r["successful"] else "FAIL"
        print(
            f"{r['label']:<30} {r['calls']:>5} {r['prompt_tokens']:>11,} {r['cache_read']:>10,} {r['cache_write']:>9,} "
            f"{r['plain_input']:>9,} {r['input_equivalent']:>12,.0f} {'$' + format(r['cost_usd'], '.4f'):>9} {uncached:>9} "
            f"{r['trims']:>5}  {verdict} {r['score']:.2f}"
        )
    print(
        f"cheaper with the prompt cache: {result['input_ratio']:.2f}x in billed input, {result['usd_ratio']:.2f}x in dollars "
        f"(goal >= {result['goal']:.0f}x): {'ok' if result['met'] else 'MISSED'}"
    )
    print(f"same result (status, score, diff) in every run: {'yes' if result['same_result'] else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--step", type=int, default=100, help="lines more output each turn")
    parser.add_argument(
        "--budget", type=int, default=20_000, help="the third run's --context-budget (0: skip it)"
    )
    args = parser.parse_args()
    if args.turns < 4:
        parser.error("--turns must be at least 4 (looks, the fix, the tests, the summary)")
    result = measure_caching(args.turns, args.step, args.budget or None)
    report(result)
    return 0 if result["met"] and result["same_result"] and result["all_turns"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
