"""``zebench mine`` end to end on a history the test builds: kept, rejected with reasons, resumable,
and the kept scenario proven again by ``zebench check``; prompts never quote the fix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from repokit import FIX_BODY, Zb

from zebench.mining.prompts import solution_lines
from zebench.scenarios import load_scenario_dir


def _mine(zb: Zb, repo: Path, *extra: str, out: str = "suites/calc-mined", check: int | None = 0) -> dict:
    proc = zb("mine", str(repo), "-o", out, "--sandbox", "none", "--json", *extra, check=check)
    return json.loads(proc.stdout)


def test_mine_keeps_the_fix_and_says_why_the_others_are_rejected(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    report = _mine(zb, repo, "--parallel", "2")
    decisions = {d["commit"]: d for d in report["decisions"]}
    assert set(decisions) == {shas["fix"], shas["no_f2p"], shas["deletes"]}  # docs and root: no candidates
    fix = decisions[shas["fix"]]
    assert fix["status"] == "kept" and fix["fail_to_pass"] == 1, fix
    assert decisions[shas["no_f2p"]]["status"] == "rejected"
    assert "the hidden tests do not catch the bug" in decisions[shas["no_f2p"]]["reason"]
    assert decisions[shas["deletes"]]["reason"].startswith("deletes test files: tests/test_legacy.py")
    assert report["kept"] == 1 and report["rejected"] == 2
    assert report["not_candidates"] == {"changes no test file": 1}

    suite = tmp_path / "suites" / "calc-mined"
    scenario_dir = suite / "scenarios" / fix["scenario"]
    assert fix["scenario"] == f"calc-{shas['fix'][:10]}"
    lock = json.loads((scenario_dir / "tests.lock.json").read_text())
    assert lock["fail_to_pass"] == ["tests.test_calc.SubTests.test_sub"]
    assert "tests.test_calc.AddTests.test_add" in lock["pass_to_pass"]
    config = yaml.safe_load((scenario_dir / "scenario.yaml").read_text())
    assert config["validation_commands"][0]["command"] == "python -m unittest -v tests.test_calc"
    assert config["source"].endswith(f"@{shas['fix']}")
    # The fixture is the parent's tree, exported: no history, the bug still in it.
    assert not (scenario_dir / "repo-fixture" / ".git").exists()
    assert "# wrong: this adds" in (scenario_dir / "repo-fixture" / "calc.py").read_text()
    assert "test_sub" in (scenario_dir / "tests-hidden" / "tests" / "test_calc.py").read_text()
    assert "difference = a - b" in (scenario_dir / "solution.patch").read_text()
    assert "tests/" not in (scenario_dir / "solution.patch").read_text()
    origin = json.loads((scenario_dir / "mined.json").read_text())
    assert origin["parent"] == shas["initial"] and origin["commit"] == shas["fix"]

    report_md = (suite / "mining-report.md").read_text()
    assert shas["deletes"][:10] in report_md and "do not catch the bug" in report_md
    assert json.loads((suite / "mining-report.json").read_text())["kept"] == 1

    # A second run decides nothing again: the state file remembers every commit.
    again = _mine(zb, repo)
    assert again["kept"] == 1 and again["rejected"] == 2
    assert {d["commit"]: d["seconds"] for d in again["decisions"]} == {
        d["commit"]: d["seconds"] for d in report["decisions"]
    }
    # The mined suite is a suite like any other.
    zb("check", "calc-mined", "--suites-dir", "suites", "--sandbox", "none")


def test_no_prompt_contains_a_line_of_the_fix(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    _mine(zb, repo)
    scenario_dir = tmp_path / "suites" / "calc-mined" / "scenarios" / f"calc-{shas['fix'][:10]}"
    scenario = load_scenario_dir(scenario_dir, "calc-mined")
    assert scenario.tiers == ["L0", "L1"]
    l0 = (scenario_dir / "prompts" / "L0-minimal.md").read_text()
    l1 = (scenario_dir / "prompts" / "L1-basic.md").read_text()
    assert l0 == "Fix sub() returning the sum\n"
    assert "sub(5, 3) gave 8 instead of 2" in l1 and "tests.test_calc.SubTests.test_sub" in l1
    assert "Signed-off-by" not in l1
    patch = (scenario_dir / "solution.patch").read_text()
    for text in (l0, l1):
        for line in patch.splitlines():
            if (
                line.startswith(("+", "-"))
                and not line.startswith(("+++", "---"))
                and len(line[1:].strip()) > 4
            ):
                assert line[1:].strip() not in text, line
    assert FIX_BODY.splitlines()[0] in l1
    assert solution_lines(patch)  # the check above had lines to look for


def test_resume_after_an_interrupted_run_only_examines_undecided_commits(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    suite = tmp_path / "suites" / "calc-mined"
    suite.mkdir(parents=True)
    decided = {
        "commit": shas["deletes"], "subject": "Drop the legacy tests", "status": "rejected",
        "reason": "decided before the interruption", "seconds": 1.0,
    }  # fmt: skip
    state = {"version": 1, "repo": "calc", "decisions": {shas["deletes"]: decided}, "pins": {}}
    (suite / "mining-state.json").write_text(json.dumps(state))
    proc = zb("mine", str(repo), "-o", "suites/calc-mined", "--sandbox", "none")
    assert "resuming: 1 candidate(s) already decided" in proc.stderr
    report = json.loads((suite / "mining-report.json").read_text())
    reasons = {d["commit"]: d["reason"] for d in report["decisions"]}
    assert reasons[shas["deletes"]] == "decided before the interruption"
    assert len(reasons) == 3


def test_filters_limit_since_paths_and_max_files(zb: Zb, calc_repo: tuple[Path, dict[str, str]]) -> None:
    repo, shas = calc_repo
    report = _mine(zb, repo, "--limit", "1", check=1)  # the newest candidate only: rejected, so exit 1
    assert [d["commit"] for d in report["decisions"]] == [shas["deletes"]]
    report = _mine(zb, repo, "--max-files", "1", out="suites/other", check=1)
    assert all(d["reason"] == "changes more files than --max-files 1: 2 files" for d in report["decisions"])
    assert report["reasons"] == {"changes more files than --max-files 1": 3}  # counted as one kind
    report = _mine(zb, repo, "--since", "2099-01-01", out="suites/empty", check=1)
    assert report["decisions"] == []
    report = _mine(zb, repo, "--paths", "README.md", out="suites/readme", check=1)
    assert report["decisions"] == [] and report["not_candidates"] == {"changes no test file": 1}


def test_bad_input_is_one_line_and_exit_2(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = calc_repo
    proc = zb("mine", str(tmp_path / "nowhere"), "-o", "suites/x", check=2)
    assert "the repository does not exist" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "plain").mkdir()
    proc = zb("mine", str(tmp_path / "plain"), "-o", "suites/x", check=2)
    assert "not a git repository" in proc.stderr
    proc = zb("mine", str(repo), "-o", "suites/x", "--environment", "pytest>=8", check=2)
    assert "--environment: 'pytest>=8' is not an exact Python pin" in proc.stderr
    proc = zb("mine", str(repo), "-o", "suites/x", "--rev", "no-such-branch", check=2)
    assert "no commit 'no-such-branch'" in proc.stderr
    proc = zb("mine", str(repo), "-o", "suites/x", "--parallel", "0", check=2)
    assert "Traceback" not in proc.stderr


def test_ctrl_c_stops_running_tests_at_once_and_leaves_the_commit_undecided(
    calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    # Sandboxed commands run in a session of their own, out of the terminal's reach: the miner
    # itself must kill them, or an interrupted run would wait for every running candidate.
    repo, shas = calc_repo
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    env["ZEBENCH_CACHE_DIR"] = str(tmp_path / "cache")
    sandbox = "bwrap" if shutil.which("bwrap") else "none"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zebench", "mine", str(repo), "-o", "suites/calc-mined", "--rev", shas["fix"],
         "--sandbox", sandbox, "--test-command", "python -m unittest -v tests.test_calc; sleep 300"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not _sleeping(proc.pid) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert _sleeping(proc.pid), "the test command never started"
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)  # the sleep would take 300 s
    finally:
        proc.kill()
    assert proc.returncode != 0 and "Traceback" not in err, err
    state = json.loads((tmp_path / "suites" / "calc-mined" / "mining-state.json").read_text())
    assert state["decisions"] == {}  # decided on the next run
    assert not list((tmp_path / "suites" / "calc-mined").glob(".mining-staging/*"))


def _sleeping(pid: int) -> bool:
    """Whether a ``sleep 300`` runs among the descendants of ``pid`` (in or out of a sandbox)."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        child, parent, *args = line.split(None, 2)
        children.setdefault(int(parent), []).append((int(child), args[0] if args else ""))
    todo = [pid]
    while todo:
        for child, args in children.get(todo.pop(), []):
            if args.startswith("sleep 300"):
                return True
            todo.append(child)
    return False
