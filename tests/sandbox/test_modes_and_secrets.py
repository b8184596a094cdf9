"""create_runner's modes and fallback warning, the environment policy, and stored-record scrubbing."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from sandboxkit import make_scenario

import zebench.sandbox as sandbox
from zebench.commands import LocalCommandRunner, safe_environment
from zebench.results.models import CommandResult, EvaluationResult, RunRecord
from zebench.sandbox import (
    LocalRunnerNoSandbox,
    ProbeResult,
    SandboxFallbackWarning,
    SandboxUnavailableError,
    collect_secret_values,
    create_runner,
    runner_factory,
    scrub_record,
)


@pytest.fixture
def broken_bwrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "probe_bwrap", lambda: ProbeResult(False, "bwrap does not work here: test"))
    monkeypatch.setattr(sandbox, "_warned", [])


def test_none_mode_is_the_host_runner(tmp_path: Path) -> None:
    runner = create_runner("none", make_scenario(tmp_path, env={"A": "1"}))
    assert isinstance(runner, LocalRunnerNoSandbox) and runner.base_env == {"A": "1"}


def test_auto_falls_back_with_one_warning(tmp_path: Path, broken_bwrap: None) -> None:
    scenario = make_scenario(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runners = [create_runner("auto", scenario) for _ in range(3)]
        runner_factory("auto")(scenario)
    assert all(isinstance(r, LocalRunnerNoSandbox) for r in runners)
    fallback = [w for w in caught if issubclass(w.category, SandboxFallbackWarning)]
    assert len(fallback) == 1
    assert "without a sandbox" in str(fallback[0].message) and "test" in str(fallback[0].message)


def test_factory_announces_the_fallback_through_its_callback_once(tmp_path: Path, broken_bwrap: None) -> None:
    scenario = make_scenario(tmp_path)
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        factory = runner_factory("auto", on_fallback=messages.append)
        runners = [factory(scenario) for _ in range(3)]
    assert all(isinstance(r, LocalRunnerNoSandbox) for r in runners)
    assert messages == [
        "commands will run without a sandbox: bwrap does not work here: test (pass --sandbox none to silence this)"
    ]
    assert not [w for w in caught if issubclass(w.category, SandboxFallbackWarning)]


def test_bwrap_mode_refuses_to_fall_back(tmp_path: Path, broken_bwrap: None) -> None:
    with pytest.raises(SandboxUnavailableError, match="--sandbox none"):
        create_runner("bwrap", make_scenario(tmp_path))
    with pytest.raises(SandboxUnavailableError):
        runner_factory("bwrap")


def test_offline_refuses_to_fall_back_to_no_sandbox(tmp_path: Path, broken_bwrap: None) -> None:
    with pytest.raises(SandboxUnavailableError) as caught:
        runner_factory("auto", offline=True, on_fallback=lambda message: None)
    assert caught.value.field == "--offline" and "bwrap does not work here" in caught.value.one_line()


def test_unknown_mode_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(sandbox.ZebenchError, match="unknown sandbox mode"):
        create_runner("docker", make_scenario(tmp_path))  # type: ignore[arg-type]


def test_scenario_env_cannot_carry_credentials(tmp_path: Path) -> None:
    runner = LocalCommandRunner(
        base_env={
            "OPENAI_API_KEY": "sk-x",
            "DB_PASSWORD": "p",
            "GITHUB_TOKEN": "t",
            "NODE_ENV": "test",
            "MAX_TOKENS": "5",
        }
    )
    env = runner.environment(tmp_path, {"AWS_SECRET_ACCESS_KEY": "a", "EXTRA": "ok"})
    assert {"OPENAI_API_KEY", "DB_PASSWORD", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"}.isdisjoint(env)
    assert env["NODE_ENV"] == "test" and env["MAX_TOKENS"] == "5" and env["EXTRA"] == "ok"
    allowed = LocalCommandRunner(base_env={"NPM_TOKEN": "dummy"}, allow_env_names={"NPM_TOKEN"})
    assert allowed.environment(tmp_path)["NPM_TOKEN"] == "dummy"


def test_safe_environment_default_keeps_explicit_extras() -> None:
    """The claude-code agent passes its own key on purpose; stripping is opt-in for runners."""
    env = safe_environment({"ANTHROPIC_API_KEY": "k"}, base={"PATH": "/bin", "ANTHROPIC_API_KEY": "host"})
    assert env["ANTHROPIC_API_KEY"] == "k"
    assert "ANTHROPIC_API_KEY" not in safe_environment(base={"ANTHROPIC_API_KEY": "host"})


def test_collect_secret_values() -> None:
    environ = {
        "ANTHROPIC_API_KEY": "sk-ant-aaaaaaaaaaaaaaaa",
        "OPENROUTER_API_KEY": "sk-or-bbbbbbbbbbbbbbbb",
        "ZE_BENCHMARKS_API_KEY": "ze-write-key-123",
        "GH_TOKEN": "ghp_cccccccccccc",
        "MY_SECRET_SAUCE": "saucy-secret-value",
        "DB_PASSWORD": "hunter2hunter2",
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:8080",
        "PATH": "/usr/bin:/bin",
        "SHORT_TOKEN": "abc",
        "FLAG_SECRET": "true",
    }
    values = collect_secret_values(environ)
    assert set(values) == {
        "sk-ant-aaaaaaaaaaaaaaaa",
        "sk-or-bbbbbbbbbbbbbbbb",
        "ze-write-key-123",
        "ghp_cccccccccccc",
        "saucy-secret-value",
        "hunter2hunter2",
    }
    assert values == sorted(values, key=lambda v: (-len(v), v))


def test_scrub_record_covers_every_free_text_field() -> None:
    secret = "custom-secret-value-42"
    key = "sk-ant-api03-ZZZZZZZZZZZZZZZZZZZZ"
    record = RunRecord(
        batch_id="b",
        suite="s",
        scenario="x",
        tier="L1",
        agent="a",
        reason=f"failed with {secret}",
        prompt_sent=f"use {key}",
        artifacts={"trajectory": f'{{"k": "{secret}"}}', "diff": f"+KEY={key}"},
        validation=[
            CommandResult(name="t", command=f"echo {secret}", stdout=secret, stderr=key, error=secret)
        ],
        evaluations=[EvaluationResult(name="e", summary=secret, details={"nested": [secret, {"k": key}]})],
        oracle_questions=[{"question": secret, "answer": "ok"}],
        metadata={"note": secret},
    )
    before = record.model_dump_json()
    scrubbed = scrub_record(record, [secret])
    dumped = scrubbed.model_dump_json()
    assert secret not in dumped and key not in dumped
    assert dumped.count("[REDACTED]") >= 12
    assert record.model_dump_json() == before  # the input is not modified
    assert scrubbed.run_id == record.run_id and scrubbed.oracle_questions[0]["answer"] == "ok"


def test_a_batch_control_is_stored_scrubbed_like_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warmup's output is stored as the batch's control: no harness secret may reach the store."""
    from zebench.agents import AgentOptions
    from zebench.results.models import BatchRecord, ControlResult
    from zebench.runner import run_batch
    from zebench.runner.pipeline import RunSpec
    from zebench.scenarios.model import ValidationCommand

    key = "sk-ant-CONTROL-canary-0123456789abcdef"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    scenario = make_scenario(
        tmp_path,
        validation=[ValidationCommand(name="leak", kind="test", command=f"echo {key}; echo test_{key}")],
        evaluators=[],
        heuristic_checks=None,
    )

    class Sink:
        def __init__(self) -> None:
            self.controls: list[ControlResult] = []

        def save_batch(self, batch: BatchRecord) -> None: ...

        def save_run(self, run: RunRecord) -> None: ...

        def save_control(self, batch_id: str, control: ControlResult) -> None:
            self.controls.append(control)

    sink = Sink()
    spec = RunSpec(scenario=scenario, tier="L1", agent="echo", batch_id="b", options=AgentOptions(),
                   workspace_root=tmp_path / "ws")  # fmt: skip
    run_batch("b", [spec], sink, workspace_root=tmp_path / "ws")
    [control] = sink.controls
    stored = control.model_dump_json()
    assert key not in stored and "[REDACTED]" in stored
