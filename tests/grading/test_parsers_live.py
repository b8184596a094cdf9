"""The parsers on output of the real tools, run here: pytest (-rA and JUnit), unittest, node --test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zebench.grading import TestStatus, parse_junit_results, parse_test_results
from zebench.grading.collect import UnsafeReportError, collect_results, read_report
from zebench.results.models import CommandResult

P, F, S = TestStatus.PASSED, TestStatus.FAILED, TestStatus.SKIPPED

PYTEST_FILE = """import pytest

def test_ok():
    pass

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n == 1

class TestBox:
    def test_inside(self):
        pass
"""


def _run(args: list[str], cwd: Path) -> CommandResult:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    return CommandResult(
        name="tests",
        kind="test",
        command=" ".join(args),
        exit_code=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr,
    )


def test_real_pytest_rA_and_junit_give_the_same_verdicts(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_live.py").write_text(PYTEST_FILE)
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-rA",
        "-p",
        "no:cacheprovider",
        "--junitxml=out/junit.xml",
        "tests",
    ]
    result = _run(args, tmp_path)
    parsed = collect_results([result], tmp_path)
    assert parsed is not None and parsed.tests == {
        "tests/test_live.py::test_ok": P,
        "tests/test_live.py::test_param[1]": P,
        "tests/test_live.py::test_param[2]": F,
        "tests/test_live.py::TestBox::test_inside": P,
    }
    junit = collect_results([result], tmp_path, junit=["out/*.xml"])
    assert junit is not None and junit.formats == ["junit"]
    assert junit.tests["tests.test_live::test_param[2]"] is F and len(junit.tests) == 4


def test_real_unittest_verbose(tmp_path: Path) -> None:
    (tmp_path / "test_u.py").write_text(
        "import unittest\n\nclass U(unittest.TestCase):\n"
        "    def test_a(self):\n        pass\n"
        "    def test_b(self):\n        self.fail('no')\n"
        "    @unittest.skip('later')\n    def test_c(self):\n        pass\n"
    )
    parsed = parse_test_results(_run([sys.executable, "-m", "unittest", "-v", "test_u"], tmp_path).stderr)
    assert parsed is not None and parsed.tests == {
        "test_u.U.test_a": P,
        "test_u.U.test_b": F,
        "test_u.U.test_c": S,
    }


@pytest.mark.parametrize("reporter", ["tap", "spec"])
def test_real_node_test_runner(tmp_path: Path, reporter: str) -> None:
    if shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but node is not installed")
        pytest.skip("node is not installed")
    (tmp_path / "a.test.js").write_text(
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('outer', async (t) => {\n  await t.test('inner ok', () => {});\n"
        "  await t.test('inner bad', () => { assert.equal(1, 2); });\n});\n"
        "test('plain', () => {});\n"
    )
    result = _run(["node", "--test", f"--test-reporter={reporter}", "a.test.js"], tmp_path)
    parsed = collect_results([result], tmp_path)
    assert parsed is not None and parsed.tests == {"outer > inner ok": P, "outer > inner bad": F, "plain": P}


def test_reports_are_read_only_as_plain_files_inside_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "out").mkdir(parents=True)
    secret = tmp_path / "secret.xml"
    secret.write_text('<testsuite><testcase classname="c" name="forged"/></testsuite>')
    (root / "out" / "link.xml").symlink_to(secret)
    with pytest.raises(UnsafeReportError, match="symbolic link"):
        read_report(root, "out/link.xml")
    os.mkfifo(root / "out" / "pipe.xml")
    with pytest.raises(UnsafeReportError, match="not a plain file"):
        read_report(root, "out/pipe.xml")  # never blocks on the FIFO
    (root / "out" / "big.xml").write_bytes(b"x" * 2048)
    with pytest.raises(UnsafeReportError, match="larger than"):
        read_report(root, "out/big.xml", max_bytes=1024)
    with pytest.raises(UnsafeReportError):
        read_report(root, "../secret.xml")
    os.link(secret, root / "out" / "hard.xml")
    with pytest.raises(UnsafeReportError, match="not a plain file"):
        read_report(root, "out/hard.xml")
    # None of them supplies a test: the forged pass is not read through the link.
    assert collect_results([], root, junit=["out/*.xml"]) is None


def test_an_xml_bomb_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + ']><testsuite><testcase name="&i;"/></testsuite>'
    )
    with pytest.raises(ValueError):
        parse_junit_results(bomb)
