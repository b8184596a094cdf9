"""``zebench check`` proves the bundled examples; ``zebench new`` scaffolds scenarios that prove too."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import CliRun, as_json


def test_check_examples_proves_every_scenario_and_echo_fails_each(zb: CliRun) -> None:
    proofs = as_json(zb("check", "examples", "--json", timeout=600, check=0))
    assert len(proofs) >= 6
    for proof in proofs:
        assert proof["ok"], proof
        assert proof["tiers"][:3] == ["L0", "L1", "L2"]
        assert proof["oracle"]["is_successful"] is True
        assert proof["echo"]["is_successful"] is False
        assert proof["flaky_commands"] == []


def test_new_suite_and_scenario_then_check(zb: CliRun, tmp_path: Path) -> None:
    zb("new", "suite", "mine", check=0)
    zb("new", "scenario", "mine", "first-one", check=0)
    scenario = tmp_path / "suites" / "mine" / "scenarios" / "first-one"
    assert (scenario / "scenario.yaml").is_file() and (scenario / "solution").is_dir()
    assert {p.name for p in (scenario / "prompts").iterdir()} == {
        "L0-minimal.md",
        "L1-basic.md",
        "L2-directed.md",
    }
    proofs = as_json(zb("check", "mine", "--json", check=0))
    assert [p["ok"] for p in proofs] == [True]
    listed = as_json(zb("suites", "--json", check=0))
    assert {"suite": "mine", "scenario": "first-one"}.items() <= next(
        r for r in listed if r["suite"] == "mine"
    ).items()


def test_check_reports_a_scenario_the_echo_agent_passes(zb: CliRun, tmp_path: Path) -> None:
    zb("new", "scenario", "mine", "too-easy", check=0)
    scenario = tmp_path / "suites" / "mine" / "scenarios" / "too-easy"
    # Make the fixture already correct: echo now succeeds, so the scenario proves nothing.
    for path in (scenario / "solution").rglob("*"):
        if path.is_file():
            target = scenario / "repo-fixture" / path.relative_to(scenario / "solution")
            target.write_text(path.read_text())
    proc = zb("check", "mine", "too-easy")
    assert proc.returncode == 1
    assert "echo agent succeeds" in proc.stdout
