"""Test-output parsers over realistic captured output, and JUnit XML."""

from __future__ import annotations

import pytest

from zebench.evaluators.builtin.test_output import (
    TestCounts,
    parse_go,
    parse_jest,
    parse_junit_xml,
    parse_mocha,
    parse_node_test,
    parse_pytest,
    parse_test_output,
    parse_unittest,
    parse_vitest,
)


def counts(c: TestCounts | None) -> tuple[int, int, int, int] | None:
    return None if c is None else (c.passed, c.failed, c.errors, c.skipped)


PYTEST_VERBOSE = """\
============================= test session starts ==============================
platform linux -- Python 3.11.9, pytest-8.3.2, pluggy-1.5.0
collected 6 items

tests/test_api.py ...F.E                                                 [100%]

=========================== short test summary info ============================
FAILED tests/test_api.py::test_delete - assert 404 == 200
ERROR tests/test_api.py::test_setup - fixture 'db' not found
================ 3 passed, 1 failed, 2 errors in 0.12s =================
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PYTEST_VERBOSE, (3, 1, 2, 0)),
        ("...s.\n4 passed, 1 skipped in 0.03s\n", (4, 0, 0, 1)),
        ("F.\n1 failed, 1 passed, 2 warnings in 0.05s\n", (1, 1, 0, 0)),
        ("===== 10 passed, 1 xfailed, 3 deselected in 1.50s (0:00:01) =====\n", (10, 0, 0, 1)),
        ("============================ no tests ran in 0.01s =============================\n", (0, 0, 0, 0)),
        ("1 error in 0.20s\n", (0, 0, 1, 0)),
    ],
)
def test_pytest(text: str, expected: tuple[int, int, int, int]) -> None:
    assert counts(parse_pytest(text)) == expected


def test_pytest_ignores_prose() -> None:
    assert parse_pytest("we passed 3 checks in total\n") is None


UNITTEST_FAILED = """\
.F.Es.E
======================================================================
FAIL: test_b (test_x.T.test_b)
----------------------------------------------------------------------
AssertionError: 1 != 2

----------------------------------------------------------------------
Ran 7 tests in 0.004s

FAILED (failures=1, errors=2, skipped=1)
"""


def test_unittest_failed() -> None:
    assert counts(parse_unittest(UNITTEST_FAILED)) == (3, 1, 2, 1)


def test_unittest_ok_with_skips() -> None:
    text = "...\n----------------------------------------------------------------------\nRan 4 tests in 0.001s\n\nOK (skipped=1)\n"
    assert counts(parse_unittest(text)) == (3, 0, 0, 1)


def test_unittest_zero_tests() -> None:
    text = "\n----------------------------------------------------------------------\nRan 0 tests in 0.000s\n\nNO TESTS RAN\n"
    assert counts(parse_unittest(text)) == (0, 0, 0, 0)


def test_jest() -> None:
    text = """\
FAIL src/sum.test.js
  ● sum › adds

Test Suites: 1 failed, 1 passed, 2 total
Tests:       1 failed, 4 passed, 5 total
Snapshots:   0 total
Time:        1.234 s
Ran all test suites.
"""
    assert counts(parse_jest(text)) == (4, 1, 0, 0)
    assert counts(parse_jest("Tests:       2 skipped, 1 todo, 3 passed, 6 total\n")) == (3, 0, 0, 3)


def test_vitest_with_colours() -> None:
    text = (
        " \x1b[31m❯\x1b[39m src/a.test.ts  (7 tests | 2 failed) 12ms\n\n"
        " \x1b[2m Test Files \x1b[22m \x1b[1m\x1b[31m1 failed\x1b[39m\x1b[22m\x1b[90m (1)\x1b[39m\n"
        "\x1b[2m      Tests \x1b[22m \x1b[1m\x1b[31m2 failed\x1b[39m\x1b[22m\x1b[2m | \x1b[22m"
        "\x1b[1m\x1b[32m5 passed\x1b[39m\x1b[22m\x1b[90m (7)\x1b[39m\n"
        "\x1b[2m   Start at \x1b[22m 10:00:00\n"
    )
    assert counts(parse_test_output(text)) == (5, 2, 0, 0)
    assert counts(parse_vitest("      Tests  3 passed | 1 skipped (4)\n")) == (3, 0, 0, 1)


def test_go_verbose_and_package_level() -> None:
    verbose = """\
=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
=== RUN   TestSub
    math_test.go:14: got 1 want 2
--- FAIL: TestSub (0.00s)
=== RUN   TestMul
--- SKIP: TestMul (0.00s)
FAIL
FAIL\texample.com/math\t0.003s
"""
    assert counts(parse_go(verbose)) == (1, 1, 0, 1)
    quiet = "ok  \texample.com/a\t0.002s\nFAIL\texample.com/b\t0.004s\nok  \texample.com/c\t(cached)\n?   \texample.com/d\t[no test files]\n"
    assert counts(parse_go(quiet)) == (2, 1, 0, 0)


def test_node_tap_and_spec_reporters() -> None:
    tap = "TAP version 13\n# Subtest: a\nok 1 - a\n1..6\n# tests 6\n# suites 0\n# pass 5\n# fail 1\n# cancelled 0\n# skipped 0\n# todo 0\n# duration_ms 41.2\n"
    assert counts(parse_node_test(tap)) == (5, 1, 0, 0)
    spec = "✔ a (0.5ms)\n✖ b (0.7ms)\nℹ tests 7\nℹ suites 0\nℹ pass 5\nℹ fail 1\nℹ cancelled 1\nℹ skipped 0\nℹ todo 0\nℹ duration_ms 50\n"
    assert counts(parse_node_test(spec)) == (5, 1, 1, 0)


def test_mocha() -> None:
    text = "\n  Array\n    ✓ works\n\n  5 passing (12ms)\n  2 pending\n  1 failing\n\n  1) Array\n       fails:\n"
    assert counts(parse_mocha(text)) == (5, 1, 0, 2)


def test_unrecognised_output_is_none() -> None:
    assert parse_test_output("Build succeeded.\nAll good.\n") is None


def test_formats_add_up() -> None:
    text = "2 passed in 0.01s\nTests:       1 failed, 3 passed, 4 total\n"
    combined = parse_test_output(text)
    assert counts(combined) == (5, 1, 0, 0)
    assert combined is not None and combined.formats == ["pytest", "jest"]


def test_junit_testcases() -> None:
    xml = """<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="pytest" tests="5" failures="1" errors="1" skipped="1">
    <testcase classname="t" name="a" time="0.1"/>
    <testcase classname="t" name="b"><failure message="boom">trace</failure></testcase>
    <testcase classname="t" name="c"><error message="setup"/></testcase>
    <testcase classname="t" name="d"><skipped/></testcase>
    <testcase classname="t" name="e"><system-out>hi</system-out></testcase>
  </testsuite>
</testsuites>"""
    assert counts(parse_junit_xml(xml)) == (2, 1, 1, 1)


def test_junit_attributes_only_and_non_junit() -> None:
    xml = '<testsuite name="s" tests="10" failures="2" errors="0" skipped="3"></testsuite>'
    assert counts(parse_junit_xml(xml)) == (5, 2, 0, 3)
    assert parse_junit_xml("<project><name>x</name></project>") is None
