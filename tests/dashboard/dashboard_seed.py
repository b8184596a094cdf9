"""Seed data for the dashboard tests: batches with breakdowns, controls, failures and a hostile run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from zebench.results.model_calls import (
    MODEL_CALLS_ARTIFACT,
    GenerationSettings,
    ModelCall,
    ModelUsage,
    calls_to_json,
)
from zebench.results.models import (
    BatchRecord,
    CommandResult,
    ControlResult,
    DependencyChange,
    EvaluationResult,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TokenUsage,
)
from zebench.store.base import ResultStore

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
HOSTILE = f"{SCRIPT} and {IMG}"
HOSTILE_RUN = "run_hostile_1"
HOSTILE_MODEL = f"evil-{IMG}"
T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

BATCH_OLD, BATCH_MID, BATCH_NEW = "batch_1740830400000", "batch_1740916800000", "batch_1741003200000"
BATCHES = (BATCH_OLD, BATCH_MID, BATCH_NEW)
SCENARIOS = ("fix-tests", "add-feature", "upgrade-deps")
AGENTS = (("anthropic", "claude-sonnet"), ("openai", "gpt-4o"))
TIERS = ("L1", "L2")
RUNS_PER_BATCH = len(SCENARIOS) * len(AGENTS) * len(TIERS)  # 12

DIFF = """diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,5 @@
 import os
-def main():
+def main() -> int:
+    \"\"\"Entry point.\"\"\"
     return 0
 # end
diff --git a/tests/test_app.py b/tests/test_app.py
new file mode 100644
--- /dev/null
+++ b/tests/test_app.py
@@ -0,0 +1,2 @@
+def test_main():
+    assert main() == 0
"""


def trajectory(hostile: bool = False) -> str:
    """A small trajectory JSON with messages, tool calls (one failing) and an LLM call."""
    text = HOSTILE if hostile else "ok"
    steps: list[dict[str, Any]] = [
        {"type": "message", "at": 1000.0, "role": "system", "content": "You are a coding agent."},
        {"type": "message", "at": 1000.5, "role": "user", "content": "Fix the failing tests in src/app.py."},
        {"type": "message", "at": 1001.0, "role": "assistant", "content": f"I will read the file first. {text}"},
        {
            "type": "tool_call", "at": 1001.2, "name": "read_file", "arguments": {"path": f"src/app.py {text}"},
            "result": f"import os\ndef main():\n    return 0\n{text}", "result_size": 40, "duration_ms": 12,
        },
        {
            "type": "tool_call", "at": 1002.0, "name": "bash", "arguments": {"command": "pytest -q"},
            "result": "1 failed", "result_size": 8, "duration_ms": 2300, "error": f"exit code 1 {text}",
        },
        {"type": "llm_call", "at": 1003.0, "content": {"model": "claude-sonnet", "messages": 4},
         "usage": {"input": 1200, "output": 300}},
        {"type": "note", "at": 1004.0, "content": "budget: 3 of 20 turns used"},
    ]  # fmt: skip
    return json.dumps(steps)


def make_run(batch_index: int, i: int, **overrides: Any) -> RunRecord:
    """Run number ``i`` of batch ``batch_index``, with scores that differ per batch and agent."""
    scenario = SCENARIOS[i % len(SCENARIOS)]
    agent, model = AGENTS[(i // len(SCENARIOS)) % len(AGENTS)]
    tier = TIERS[(i // (len(SCENARIOS) * len(AGENTS))) % len(TIERS)]
    score = round(
        min(1.0, 0.45 + 0.1 * batch_index + 0.08 * (i % 5) + (0.1 if agent == "anthropic" else 0)), 3
    )
    started = T0 + timedelta(days=batch_index, minutes=i)
    ok = score >= 0.7
    fields: dict[str, Any] = dict(
        run_id=f"run_b{batch_index}_{i:02d}", batch_id=BATCHES[batch_index], suite="examples",
        scenario=scenario, tier=tier, agent=agent, model=model, status=RunStatus.COMPLETED,
        reason=None if ok else f"score {score} below threshold 0.7", started_at=started,
        completed_at=started + timedelta(seconds=40 + i), total_score=score, is_successful=ok,
        evaluations=[
            EvaluationResult(name="tests", score=score, weight=2.0, required=True, passed=ok,
                             summary=f"{int(score * 10)}/10 passed", details={"passed": int(score * 10), "failed": 10 - int(score * 10)}),
            EvaluationResult(name="lint", score=1.0, passed=True, summary="clean"),
            EvaluationResult(name="judge", status="skipped", summary="no key"),
        ],
        telemetry=Telemetry(
            duration_ms=(40 + i) * 1000, agent_duration_ms=(30 + i) * 1000, tool_calls=5 + i % 4,
            tool_call_counts={"read_file": 3, "bash": 2 + i % 4}, turns=4, tokens=TokenUsage(input=12000 + i * 100, output=900 + i),
            cost_usd=round(0.02 + 0.01 * (i % 3) + (0.03 if agent == "anthropic" else 0), 4), cost_kind="measured",
            judge_tokens=TokenUsage(input=800, output=120), judge_cost_usd=0.004,
        ),
        validation=[CommandResult(name="test", kind="test", command="pytest -q", exit_code=0 if ok else 1,
                                  stdout="3 passed" if ok else "1 failed, 2 passed", duration_ms=2100)],
        changed_files=[FileChange(path="src/app.py", change="modified")],
        artifacts={"diff": DIFF, "trajectory": trajectory()},
    )  # fmt: skip
    fields.update(overrides)
    return RunRecord(**fields)


def hostile_run() -> RunRecord:
    """A failed run whose agent-controlled text is an XSS attempt everywhere it can be."""
    return make_run(
        1,
        99,
        run_id=HOSTILE_RUN,
        model=HOSTILE_MODEL,
        status=RunStatus.FAILED,
        reason=f"agent crashed: {HOSTILE}",
        total_score=0.1,
        is_successful=False,
        evaluations=[
            EvaluationResult(name="tests", score=0.1, summary=f"summary {HOSTILE}", details={"why": HOSTILE})
        ],
        validation=[
            CommandResult(
                name="test",
                kind="test",
                command=f"pytest {SCRIPT}",
                exit_code=1,
                stdout=f"stdout {HOSTILE}",
                stderr=f"stderr {IMG}",
            )
        ],
        changed_files=[FileChange(path=f"src/{IMG}.py", change="added")],
        dependency_changes=[
            DependencyChange(file="package.json", section="dependencies", name=SCRIPT, after="1.0")
        ],
        oracle_questions=[{"question": f"q {SCRIPT}", "answer": f"a {IMG}"}],
        prompt_sent=f"prompt {HOSTILE}",
        artifacts={
            "diff": DIFF.replace("return 0", f"return '{HOSTILE}'").replace("src/app.py", f"src/{IMG}.py"),
            "trajectory": trajectory(hostile=True),
            "agent_output": f"final answer: {HOSTILE}",
            MODEL_CALLS_ARTIFACT: hostile_model_calls(),
        },
    )


def hostile_model_calls() -> str:
    """The gateway's log of the hostile run: model names and errors come from the agent's traffic."""
    start = T0.timestamp()
    calls = [
        ModelCall(
            index=1, wire="anthropic-messages", path="/v1/messages", model_requested=HOSTILE_MODEL,
            model=HOSTILE_MODEL, status=200, started_at=start, latency_ms=1500,
            usage=ModelUsage(input=1200, output=340, cache_read=800, reasoning=0), cost_usd=0.0123,
            cost_kind="estimated", settings=GenerationSettings(temperature=0.2, max_tokens=4096),
        ),
        ModelCall(
            index=2, wire="openai-responses", path="/responses", stream=True, model=SCRIPT, status=429,
            started_at=start + 2, latency_ms=300, error_class="infra", error=f"rate limited {HOSTILE}",
        ),
        ModelCall(
            index=3, wire="gemini", path="/v1beta/models/x:generateContent", model="gemini-fake", status=400,
            started_at=start + 3, latency_ms=5, error_class="budget", error="budget exceeded: max_model_calls=2",
            withheld_tools=["web_search"],
        ),
    ]  # fmt: skip
    return calls_to_json(calls)


def seed(store: ResultStore) -> None:
    """Three completed batches of 12 runs (36), a hostile failed run, controls and a crashed run."""
    for b, batch_id in enumerate(BATCHES):
        created = T0 + timedelta(days=b)
        store.save_batch(
            BatchRecord(batch_id=batch_id, created_at=created, completed_at=created + timedelta(hours=1),
                        metadata={"suites": ["examples"], "iterations": 1})
        )  # fmt: skip
        for i in range(RUNS_PER_BATCH):
            store.save_run(make_run(b, i))
    store.save_run(hostile_run())
    store.save_run(
        make_run(1, 98, run_id="run_timeout_1", status=RunStatus.TIMED_OUT, total_score=None,
                 is_successful=False, reason="agent exceeded 600 s", evaluations=[])
    )  # fmt: skip
    store.save_control(
        BATCH_MID,
        ControlResult(suite="examples", scenario="fix-tests", passed=False, ran_at=T0 + timedelta(days=1),
                      commands=[CommandResult(name="test", kind="test", command="pytest -q", exit_code=1,
                                              stdout="2 failed (expected: the fixture is broken)")]),
    )  # fmt: skip
    store.save_control(
        BATCH_MID,
        ControlResult(suite="examples", scenario="add-feature", passed=True, ran_at=T0 + timedelta(days=1),
                      commands=[CommandResult(name="build", kind="build", command="make", exit_code=0, stdout="ok")]),
    )  # fmt: skip


def open_batch(store: ResultStore, batch_id: str = "batch_live") -> None:
    """A batch still running (no completed_at) with one run so far."""
    store.save_batch(BatchRecord(batch_id=batch_id, created_at=datetime.now(UTC)))
    store.save_run(make_run(2, 0, run_id="run_live_0", batch_id=batch_id, started_at=datetime.now(UTC)))
