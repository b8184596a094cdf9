"""End to end, as a user: ``zebench check --lock`` on a tiny suite, then a bench, ``run --tests``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gradekit import F2P, P2P, CliRun, write_tiny_suite

from zebench.grading import LOCK_FILE


def test_check_lock_then_bench_and_run_tests(zb: CliRun, tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path)
    proc = zb("check", "tiny", "--lock", check=0)
    lock = json.loads((directory / LOCK_FILE).read_text())
    assert lock["fail_to_pass"] == F2P and lock["pass_to_pass"] == P2P and lock["repeats"] == 3
    assert "locked tiny/calc-bug: 1 fail-to-pass, 3 pass-to-pass, 0 flaky" in proc.stderr
    assert "F2P 1 · P2P 3 (lock)" in proc.stdout
    assert "F2P failing 1/1" in proc.stdout  # the control: the bug's test fails before the fix
    assert re.search(r"1\.00 pass\s*│.*0\.25 fail", proc.stdout)  # oracle, then echo
    assert "resolved 1 (F2P 1/1)" in proc.stdout and "resolved 0 (F2P 0/1)" in proc.stdout
    assert "1 of 1 scenario(s) proven" in proc.stdout

    proofs = json.loads(zb("check", "tiny", "--json", check=0).stdout)  # proven again from the lock
    assert proofs[0]["echo"]["resolved_score"] == 0.0 and proofs[0]["oracle"]["resolved_score"] == 1.0
    assert proofs[0]["control"]["failed_tests"] == F2P and proofs[0]["locked"] is True

    bench = zb("bench", "tiny", "calc-bug", "--agent", "echo")
    assert bench.returncode == 1
    assert "F2P failing 1/1" in bench.stdout  # the control, in the panel
    assert "F2P 0/1 · P2P 3/3 · not resolved" in bench.stdout
    assert "not resolved: 0/1 fail-to-pass, 3/3 pass-to-pass" in bench.stdout
    run_id = re.search(r"Run ID\s+(run_\S+)", bench.stdout).group(1)  # type: ignore[union-attr]

    shown = zb("run", run_id, "--tests", check=0).stdout
    assert re.search(r"F2P\s*│\s*failed\s*│\s*fail\s*│\s*test_add\.AddTests\.test_adds", shown)
    assert "test_calc.CalcTests.test_mul " not in shown  # passing P2P tests are counted, not listed
    every = json.loads(zb("run", run_id, "--all-tests", "--json", check=0).stdout)
    rows = {r["id"]: r for r in every["test_rows"]}
    assert rows["test_add.AddTests.test_adds"] == {
        "id": "test_add.AddTests.test_adds",
        "group": "fail_to_pass",
        "status": "failed",
        "counts_as_pass": False,
    }
    assert set(rows) == {*F2P, *P2P} and every["tests"]["resolved"] is False


def test_check_lock_refuses_inline_lists(zb: CliRun, tmp_path: Path) -> None:
    write_tiny_suite(tmp_path, fail_to_pass=F2P)
    proc = zb("check", "tiny", "--lock")
    assert proc.returncode == 1
    assert "lists fail_to_pass/pass_to_pass itself" in proc.stdout


def test_check_reports_a_stale_lock(zb: CliRun, tmp_path: Path) -> None:
    directory = write_tiny_suite(tmp_path)
    zb("check", "tiny", "--lock", check=0)
    with open(directory / "tests-hidden" / "tests" / "test_add.py", "a") as handle:
        handle.write("\n# a new hidden test would go here\n")
    proc = zb("check", "tiny", "--json")
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)[0]["problems"]
    assert any("tests.lock.json is stale" in p for p in problems), problems
