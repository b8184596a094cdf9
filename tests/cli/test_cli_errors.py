"""Bad input gets one clear line naming the file, the field and the fix, and exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import CliRun

from zebench.scenarios import bundled_suites_dir

EXAMPLE = bundled_suites_dir() / "examples" / "scenarios" / "fix-failing-tests"


def _suite(tmp_path: Path, scenario_yaml: str | None = None, *, fixture: bool = True) -> Path:
    """A user suite holding one copy of the fix-failing-tests example, optionally altered."""
    scenario = tmp_path / "suites" / "mine" / "scenarios" / "broken"
    shutil.copytree(EXAMPLE, scenario)
    if scenario_yaml is not None:
        (scenario / "scenario.yaml").write_text(scenario_yaml)
    if not fixture:
        shutil.rmtree(scenario / "repo-fixture")
    return scenario


def _assert_one_line_error(proc, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    # In a log (not a terminal) the lines saying which runs started and ended may come first.
    lines = proc.stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("error:")), 0)
    assert all(line.startswith(("run ", "[", "warmup ")) for line in lines[:start]), proc.stderr
    err = " ".join(" ".join(lines[start:]).split())
    assert err.startswith("error:"), proc.stderr
    for needle in needles:
        assert needle in err, err


def test_missing_suite(zb: CliRun) -> None:
    _assert_one_line_error(zb("bench", "nope", "x"), "nope", "examples")


def test_missing_scenario(zb: CliRun) -> None:
    _assert_one_line_error(zb("bench", "examples", "nope"), "nope", "fix-failing-tests")


def test_missing_tier(zb: CliRun) -> None:
    _assert_one_line_error(
        zb("bench", "examples", "fix-failing-tests", "--tier", "L7"), "L7", "L0", "L1", "L2"
    )


def test_ambiguous_tier_names_both_files(zb: CliRun, tmp_path: Path) -> None:
    scenario = _suite(tmp_path)
    (scenario / "prompts" / "L1-other.md").write_text("Another L1 prompt.")
    proc = zb("bench", "mine", "broken", "--tier", "L1", "--suites-dir", "suites")
    _assert_one_line_error(proc, "L1-basic.md", "L1-other.md")


def test_malformed_yaml(zb: CliRun, tmp_path: Path) -> None:
    _suite(tmp_path, "name: [unclosed\nvalidation_commands: {\n")
    _assert_one_line_error(zb("bench", "mine", "broken", "--suites-dir", "suites"), "scenario.yaml", "line")


def test_wrong_type_names_file_key_and_type(zb: CliRun, tmp_path: Path) -> None:
    text = (EXAMPLE / "scenario.yaml").read_text() + "\ntimeout_minutes: soon\n"
    _suite(tmp_path, text)
    proc = zb("bench", "mine", "broken", "--suites-dir", "suites")
    _assert_one_line_error(proc, "scenario.yaml", "timeout_minutes", "number")


def test_unknown_key_is_a_warning_not_an_error(zb: CliRun, tmp_path: Path) -> None:
    _suite(tmp_path, (EXAMPLE / "scenario.yaml").read_text() + "\ncolour: blue\n")
    proc = zb("bench", "mine", "broken", "--agent", "oracle", "--suites-dir", "suites", "--skip-warmup")
    assert proc.returncode == 0, proc.stderr
    assert "unknown key 'colour'" in proc.stderr


def test_missing_fixture(zb: CliRun, tmp_path: Path) -> None:
    _suite(tmp_path, fixture=False)
    _assert_one_line_error(zb("bench", "mine", "broken", "--suites-dir", "suites"), "repo-fixture")


def test_solution_that_does_not_apply(zb: CliRun, tmp_path: Path) -> None:
    scenario = _suite(tmp_path)
    shutil.rmtree(scenario / "solution")
    (scenario / "solution.patch").write_text("--- a/missing.py\n+++ b/missing.py\n@@ -1 +1 @@\n-old\n+new\n")
    proc = zb("bench", "mine", "broken", "--agent", "oracle", "--suites-dir", "suites", "--skip-warmup")
    _assert_one_line_error(proc, "solution.patch")
    # The failed run is stored all the same, with its reason.
    runs = zb("runs", "--json", "--status", "failed", check=0)
    assert "solution.patch" in runs.stdout


def test_unknown_agent(zb: CliRun) -> None:
    _assert_one_line_error(
        zb("bench", "examples", "fix-failing-tests", "--agent", "gpt-magic"), "gpt-magic", "oracle"
    )


def test_unknown_evaluator(zb: CliRun, tmp_path: Path) -> None:
    text = (EXAMPLE / "scenario.yaml").read_text().replace("- name: integrity", "- name: vibes")
    _suite(tmp_path, text)
    _assert_one_line_error(zb("bench", "mine", "broken", "--suites-dir", "suites"), "vibes", "evaluators")


def test_missing_run_and_batch(zb: CliRun) -> None:
    _assert_one_line_error(zb("run", "run_0_nope"), "run_0_nope")
    _assert_one_line_error(zb("batch", "batch_nope"), "batch_nope")


@pytest.mark.parametrize("args", [["--iterations", "0"], ["--tier"]])
def test_bad_flags_exit_2_with_usage(zb: CliRun, args: list[str]) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_models_without_a_reachable_catalogue_is_one_line(zb: CliRun, tmp_path: Path) -> None:
    """A closed port on 127.0.0.1 stands in for an unreachable OpenRouter."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: connections are refused
    proc = zb(
        "models", "--base-url", f"http://127.0.0.1:{port}/api/v1", ZEBENCH_CACHE_DIR=str(tmp_path / "c")
    )
    _assert_one_line_error(proc, "cannot list openrouter's models", "--base-url")
