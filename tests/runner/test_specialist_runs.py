"""A specialist run works from each of the original's templates that loads (against the fake LLM)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compat_paths import COMPAT_TEMPLATES
from zebench.llm.fake import FakeLLMServer, FakeReply, FakeScript
from zebench.results.models import RunStatus
from zebench.runner import RunSpec, run_one
from zebench.runner.sink import DiscardSink
from zebench.runner.specialist import apply_specialist
from zebench.scenarios import load_scenario

LOADABLE = [
    "figma-mcp-specialist-template.jsonc",
    "mcp-demo-specialist-template.jsonc",
    "mcp-test-specialist-template.jsonc",
    "nextjs-specialist-template.jsonc",
    "shadcn-specialist-template.jsonc",
]


@pytest.mark.skipif(not COMPAT_TEMPLATES.is_dir(), reason=f"{COMPAT_TEMPLATES} is not present")
@pytest.mark.parametrize("template", LOADABLE)
def test_specialist_run_from_an_original_template(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario("examples", "fix-failing-tests")
    script = FakeScript(turns=[FakeReply(text="I reviewed the code.")])
    with FakeLLMServer(script) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        base = RunSpec(scenario=scenario, tier="L1", agent="echo", batch_id="b", workspace_root=tmp_path)
        spec = apply_specialist(base, COMPAT_TEMPLATES / template)
        record = run_one(spec, DiscardSink())
        sent = fake.requests_to("/v1/messages")
    # The template's heaviest preferred model decided the agent and the model.
    assert (spec.agent, spec.options.model) == ("anthropic", "claude-sonnet-4.5")
    assert record.status == RunStatus.COMPLETED
    assert record.specialist_name and record.specialist_version == "0.0.1"
    assert spec.system_prompt and spec.system_prompt in (record.prompt_sent or "")
    assert sent and sent[0].body["system"][0]["text"].startswith(spec.system_prompt[:40])
