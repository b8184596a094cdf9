"""Issue 17, as a newcomer meets it: each run's own control line, where the results went and what
the marks mean, and a FAIL that says why on the line that says FAIL."""

from __future__ import annotations

import re
from pathlib import Path

from cli_helpers import CliRun, as_json

# Three scenarios whose validation commands differ, so their controls read differently.
THREE = ["add-type-annotations", "fix-lint-errors", "bump-dependency-pins"]


def _control_line(control: dict) -> str:  # type: ignore[type-arg]
    return "  ".join(
        f"{c['name']} {'✓' if c['exit_code'] == 0 and not c['timed_out'] else '✗'}"
        for c in control["commands"]
    )


def _panels(stdout: str) -> list[str]:
    return [p for p in stdout.split("╭") if "Run ID" in p]


def _shown_control(panel: str) -> str:
    line = next(line for line in panel.splitlines() if "Control (pristine)" in line)
    return " ".join(line.split("Control (pristine)")[1].strip(" │").split())


def test_each_run_shows_its_own_scenarios_control(zb: CliRun) -> None:
    proc = zb("bench", "examples", *THREE, "--agent", "echo", check=1)
    batch_id = re.search(r"zebench batch (\S+)", proc.stdout).group(1)  # type: ignore[union-attr]
    controls = {c["scenario"]: c for c in as_json(zb("batch", batch_id, "--json", check=0))["controls"]}
    assert sorted(controls) == sorted(THREE)
    expected = {scenario: " ".join(_control_line(c).split()) for scenario, c in controls.items()}
    assert len(set(expected.values())) == 3, expected  # three different lines to tell apart
    shown: dict[str, str] = {}
    for panel in _panels(proc.stdout):
        scenario = re.search(r"examples/(\S+) \(L1\)", panel).group(1)  # type: ignore[union-attr]
        shown[scenario] = _shown_control(panel)
    assert shown == expected
    # `zebench run ID` shows the control of that run's scenario too, and --json carries it.
    for run in as_json(zb("runs", "--batch", batch_id, "--json", check=0))["items"]:
        detail = zb("run", run["run_id"], check=0)
        assert _shown_control(detail.stdout) == expected[run["scenario"]]
        data = as_json(zb("run", run["run_id"], "--json", check=0))
        assert data["control"]["scenario"] == run["scenario"]


def test_bench_says_where_results_are_how_to_see_them_and_what_marks_mean(zb: CliRun, tmp_path: Path) -> None:
    proc = zb("bench", "examples", "fix-failing-tests", "--agent", "echo", check=1)
    out = proc.stdout
    assert "Stored in results/zebench.db (relative to this folder)" in out
    assert (tmp_path / "results" / "zebench.db").is_file()
    assert "zebench serve, then open http://127.0.0.1:8787" in out
    assert re.search(r"Again: zebench batch batch_\d+", out)
    legend = out[out.index("Legend:") :]
    for meaning in ("✓ full marks", "⚠ partial", "✗ failed", "– skipped", "* required"):
        assert meaning in legend
    # 0.735 against 0.70 reads FAIL, and the FAIL line itself says why; the score rounds down.
    total = next(line for line in out.splitlines() if "Total" in line and "FAIL" in line)
    assert "0.73 / 1.00" in total and "required evaluator 'test' failed" in total
    test_row = next(line for line in out.splitlines() if "test *" in line)
    assert "✗" in test_row and "⚠" not in test_row  # a required evaluator that failed is a failure
    # With --db the message names that database, and how to serve it.
    other = zb(
        "bench", "examples", "fix-failing-tests", "--agent", "oracle", "--db", "sqlite:///other.db", check=0
    )
    assert "Stored in other.db" in other.stdout
    assert "zebench serve --db sqlite:///other.db, then open http://127.0.0.1:8787" in other.stdout


NEARLY = """\
name: Nearly perfect, still failing
validation_commands:
  - {name: lint, kind: lint, command: "python3 -c 'import sys; sys.exit(1)'"}
evaluators:
  - {name: lint, weight: 1, required: true}
  - {name: integrity, weight: 999}
"""


def test_a_failing_score_never_reads_as_a_pass(zb: CliRun, tmp_path: Path) -> None:
    scenario = tmp_path / "suites" / "edge" / "scenarios" / "nearly"
    (scenario / "prompts").mkdir(parents=True)
    (scenario / "prompts" / "L1.md").write_text("Do nothing.\n")
    (scenario / "repo-fixture").mkdir()
    (scenario / "repo-fixture" / "a.txt").write_text("a\n")
    (scenario / "scenario.yaml").write_text(NEARLY)
    proc = zb("bench", "edge", "nearly", "--agent", "echo", "--suites-dir", "suites", check=1)
    run = as_json(zb("runs", "--json", check=0))["items"][0]
    assert run["total_score"] > 0.998 and not run["is_successful"]  # 999/1000
    total = next(line for line in proc.stdout.splitlines() if "Total" in line)
    assert "0.99 / 1.00" in total and "1.00 / 1.00" not in total and "9.99/10" in total
    assert "required evaluator 'lint' failed" in total
    listed = zb("runs", check=0).stdout
    assert " 0.99 " in listed and "1.00" not in listed
