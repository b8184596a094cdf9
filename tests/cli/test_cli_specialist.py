"""Specialist runs end to end: baseline and specialist arms in one batch, then minted snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import json5
from cli_helpers import CliRun, as_json

from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript

TEMPLATE = {
    "schema_version": "0.0.1",
    "name": "@acme/tests-specialist",
    "version": "1.2.0",
    "persona": {
        "purpose": "Fixes failing Python tests",
        "values": ["correctness"],
        "attributes": ["methodical"],
        "tech_stack": ["Python"],
    },
    "capabilities": {"tags": ["python", "testing"], "descriptions": {"python": "Python"}},
    "preferred_models": [{"model": "gpt-4o", "weight": 0.2}, {"model": "claude-sonnet-4-6", "weight": 0.9}],
    "prompts": {
        "default": {"spawnerPrompt": "You are {{name}} v{{version}}, a {{tech_stack}} expert."},
        "bug_fix": {
            "default": {"systemPrompt": "Find the bug, fix it, run the tests. Task: {{user_prompt}}"}
        },
    },
}


def test_baseline_and_specialist_then_mint(zb: CliRun, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tests-specialist.json5").write_text(json.dumps(TEMPLATE))
    script = FakeScript(turns=[FakeReply(text="I looked at it and changed nothing.")])
    with FakeLLMServer(script) as fake:
        env = {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": fake.url}
        common = ["bench", "examples", "fix-failing-tests", "--batch-id", "arms", "--skip-warmup", "--json"]
        baseline = as_json(
            zb(*common, "--agent", "anthropic", "--model", "claude-sonnet-4-6", check=1, **env)
        )
        # No --agent/--model: the template's heaviest preferred model picks both.
        special = as_json(
            zb(*common, "--specialist", "tests-specialist", "--iterations", "2", check=1, **env)
        )
        # The tool loop sends its system prompt as text blocks (the last carries a cache breakpoint).
        systems = [
            "".join(block["text"] for block in r.body.get("system", []))
            for r in fake.requests_to("/v1/messages")
        ]
    assert baseline["specialist_name"] is None
    assert [r["specialist_name"] for r in special] == ["@acme/tests-specialist"] * 2
    assert {r["specialist_version"] for r in special} == {"1.2.0"}
    assert {(r["agent"], r["model"]) for r in special} == {("anthropic", "claude-sonnet-4-6")}
    # The exact system prompt was sent and stored; the task type picked the bug_fix prompt.
    assert "Find the bug, fix it" in special[0]["prompt_sent"]
    assert any("Find the bug, fix it" in s for s in systems)
    assert not any("Find the bug" in s for s in systems[:1])

    runs = as_json(zb("runs", "--json", "--batch", "arms", "--specialist", "any", check=0))["items"]
    assert len(runs) == 2
    out = tmp_path / "snapshots"
    first = zb(
        "mint", "snapshot", "templates/tests-specialist.json5", "--batch-id", "arms", "--output", str(out)
    )
    assert first.returncode == 0, first.stdout + first.stderr
    second = zb(
        "mint", "snapshot", "templates/tests-specialist.json5", "--batch-id", "arms", "--output", str(out)
    )
    assert second.returncode == 0, second.stderr
    folder = out / "tests-specialist" / "1.2.0"
    assert sorted(p.name for p in folder.iterdir()) == ["snapshot-001.json5", "snapshot-002.json5"]
    snapshot = json5.loads((folder / "snapshot-001.json5").read_text())
    comparison = snapshot["benchmarks"]["comparison"]
    assert comparison["n_baseline"] == 1 and comparison["n_specialist"] == 2
    assert comparison["verdict"] == "no evidence"  # one baseline run proves nothing
    assert snapshot["snapshot_metadata"]["batch_id"] == "arms"
    assert len(snapshot["benchmarks"]["runs"]) == 3


def test_unknown_batch_and_unknown_specialist_are_one_line_errors(zb: CliRun, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tests-specialist.json5").write_text(json.dumps(TEMPLATE))
    proc = zb(
        "mint", "snapshot", "templates/tests-specialist.json5", "--batch-id", "nope", "--output", "snaps"
    )
    assert proc.returncode == 2 and "nope" in proc.stderr and "Traceback" not in proc.stderr
    proc = zb("bench", "examples", "fix-failing-tests", "--specialist", "no-such-thing")
    assert proc.returncode == 2 and "no-such-thing" in proc.stderr and "Traceback" not in proc.stderr
