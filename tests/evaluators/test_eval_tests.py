"""The ``test`` evaluator over real unittest, node --test and pytest runs, and its scoring rules."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from evalkit import MakeCtx, write_files

from zebench.evaluators import get_evaluator
from zebench.results.models import CommandResult

UNITTEST_FILE = """\
import unittest

class T(unittest.TestCase):
    def test_a(self):
        self.assertEqual(1, 1)
    def test_b(self):
        self.assertEqual(1, 2)
    def test_c(self):
        raise RuntimeError("boom")
    @unittest.skip("later")
    def test_d(self):
        pass
    def test_e(self):
        self.assertTrue(True)
"""


def _evaluate(make_ctx: MakeCtx, ws: Path, result: CommandResult, **kwargs):
    return get_evaluator("test").evaluate(make_ctx("test", ws, validation=[result], **kwargs))


def test_real_unittest_run_with_failures(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(ws, {"test_mod.py": UNITTEST_FILE})
    result = run_cmd(ws, f"{sys.executable} -m unittest -v test_mod", kind="test")
    ev = _evaluate(make_ctx, ws, result)
    assert ev.details["counts"] == {
        "passed": 2,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
        "formats": ["unittest"],
    }
    assert ev.score == pytest.approx(0.5)
    assert ev.passed is False
    assert ev.summary == "2/4 tests passed, 1 skipped (exit 1)"


def test_real_unittest_run_passing(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(
        ws,
        {"test_ok.py": "import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n        pass\n"},
    )
    ev = _evaluate(make_ctx, ws, run_cmd(ws, f"{sys.executable} -m unittest", kind="test"))
    assert (ev.score, ev.passed) == (1.0, True)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_real_node_test_run(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(
        ws,
        {
            "math.test.js": (
                'const test = require("node:test");\nconst assert = require("node:assert");\n'
                'test("adds", () => assert.equal(1 + 1, 2));\n'
                'test("subtracts", () => assert.equal(2 - 1, 1));\n'
                'test("multiplies", () => assert.equal(2 * 2, 5));\n'
                'test("later", { skip: true }, () => {});\n'
            )
        },
    )
    ev = _evaluate(make_ctx, ws, run_cmd(ws, "node --test", kind="test"))
    assert ev.details["counts"]["formats"] == ["node"]
    assert (ev.details["counts"]["passed"], ev.details["counts"]["failed"]) == (2, 1)
    assert ev.score == pytest.approx(2 / 3)
    assert ev.passed is False


def test_real_pytest_run_with_no_tests(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(ws, {"test_nothing.py": "x = 1\n"})
    ev = _evaluate(
        make_ctx,
        ws,
        run_cmd(
            ws,
            f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {sys.executable} -m pytest -p no:cacheprovider -q",
            kind="test",
        ),
    )
    assert (ev.score, ev.passed) == (0.0, False)
    assert "zero tests were collected" in ev.details["notes"]


def test_non_zero_exit_never_scores_one(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cmd(ws, "echo '5 passed in 0.10s'; exit 2", kind="test")
    ev = _evaluate(make_ctx, ws, result)
    assert (ev.score, ev.passed) == (0.0, False)
    assert "exit code 2 although no failing test was parsed" in ev.details["notes"]


def test_no_summary_lets_the_exit_code_decide(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    ok = _evaluate(make_ctx, ws, run_cmd(ws, "echo all good", kind="test"))
    bad = _evaluate(make_ctx, ws, run_cmd(ws, "echo broken; exit 1", kind="test"))
    assert (ok.score, ok.passed, bad.score, bad.passed) == (1.0, True, 0.0, False)
    assert ok.details["counts"] is None


def test_timeout_scores_zero_even_with_passing_output(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cmd(ws, "echo '3 passed in 0.1s'; sleep 5", kind="test", timeout_s=0.3)
    ev = _evaluate(make_ctx, ws, result)
    assert (ev.score, ev.passed) == (0.0, False)
    assert ev.details["timed_out"] is True


def test_all_skipped_scores_zero(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    ev = _evaluate(make_ctx, ws, run_cmd(ws, "echo '4 skipped in 0.01s'", kind="test"))
    assert (ev.score, ev.passed) == (0.0, False)


def test_junit_reports_take_precedence(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    write_files(
        ws,
        {
            "reports/unit.xml": (
                '<testsuite tests="3"><testcase name="a"/><testcase name="b"/>'
                '<testcase name="c"><failure message="x"/></testcase></testsuite>'
            ),
            "reports/e2e/more.xml": '<testsuites><testsuite><testcase name="d"/></testsuite></testsuites>',
            "node_modules/pkg/junit.xml": '<testsuite><testcase name="z"><failure/></testcase></testsuite>',
        },
    )
    result = run_cmd(ws, "echo '10 passed in 1s'; exit 1", kind="test")
    ev = _evaluate(make_ctx, ws, result, config={"junit": "**/*.xml"})
    assert ev.details["junit_files"] == ["reports/unit.xml", "reports/e2e/more.xml"]
    assert (ev.details["counts"]["passed"], ev.details["counts"]["failed"]) == (3, 1)
    assert ev.score == pytest.approx(0.75)
    assert ev.passed is False


def test_command_that_could_not_start_scores_zero(make_ctx: MakeCtx, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = CommandResult(name="test", kind="test", command="pytest", error="could not start: no shell")
    ev = _evaluate(make_ctx, ws, result)
    assert (ev.status, ev.score) == ("scored", 0.0)
