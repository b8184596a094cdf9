"""``zebench check`` proves the bundled examples; ``zebench new`` scaffolds scenarios that prove too."""

from __future__ import annotations

import shlex
from pathlib import Path

from cli_helpers import CliRun, as_json

from zebench.scenarios import load_scenario


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


def _printed(proc: object, prefix: str) -> list[str]:
    """The command printed after ``prefix`` ("next: …", "prove it: …"), as argv without "zebench"."""
    stdout: str = proc.stdout  # type: ignore[attr-defined]
    line = next(line for line in stdout.splitlines() if line.startswith(prefix))
    argv = shlex.split(line.removeprefix(prefix).strip())
    assert argv[0] == "zebench"
    return argv[1:]


def test_next_steps_work_as_printed_with_a_suites_folder(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("new", "suite", "mine", "--suites-dir", "my suites", check=0)
    follow = _printed(proc, "next:")
    assert follow[-2:] == ["--suites-dir", "my suites"]
    proc = zb(*follow, check=0)  # exactly as printed
    assert (tmp_path / "my suites" / "mine" / "scenarios" / "my-scenario" / "scenario.yaml").is_file()
    assert not (tmp_path / "suites").exists()  # no second suite under ./suites
    proofs = as_json(zb(*_printed(proc, "prove it:"), "--json", check=0))
    assert [p["ok"] for p in proofs] == [True]


def test_next_step_without_a_suites_folder_names_none(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("new", "suite", "mine", check=0)
    assert _printed(proc, "next:") == ["new", "scenario", "mine", "my-scenario"]
    zb(*_printed(proc, "next:"), check=0)
    assert (tmp_path / "suites" / "mine" / "scenarios" / "my-scenario").is_dir()


def test_scenario_template_shows_fixture_environment_and_source(zb: CliRun, tmp_path: Path) -> None:
    zb("new", "scenario", "mine", "demo", check=0)
    yaml_file = tmp_path / "suites" / "mine" / "scenarios" / "demo" / "scenario.yaml"
    text = yaml_file.read_text()
    for key in ("# fixture: {pypi:", "# fixture: {npm:", "# environment:", "# source: https://"):
        assert key in text, key
    # The commented examples are real syntax: uncommented, the scenario still loads and keeps them.
    text = text.replace("# source: https://", "source: https://")
    text = text.replace(
        '# environment:\n#   python: ["pytest==8.3.4"]', 'environment:\n  python: ["pytest==8.3.4"]'
    )
    yaml_file.write_text(text)
    rows = as_json(zb("suites", "--json", check=0))
    row = next(r for r in rows if r["suite"] == "mine")
    assert row["error"] is None and row["tiers"] == ["L0", "L1", "L2"]
    scenario = load_scenario("mine", "demo", tmp_path / "suites")
    assert scenario.source == "https://github.com/OWNER/REPO/pull/123"
    assert scenario.environment is not None and scenario.environment.python == ["pytest==8.3.4"]
