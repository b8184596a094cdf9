"""The per-test parsers on real output captured from each runner (see outputs/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zebench.grading import TestResults, TestStatus, parse_junit_results, parse_test_results

OUT = Path(__file__).parent / "outputs"
P, F, E, S, X = TestStatus.PASSED, TestStatus.FAILED, TestStatus.ERROR, TestStatus.SKIPPED, TestStatus.XFAIL


def parsed(name: str, root: str = "") -> TestResults:
    results = parse_test_results((OUT / name).read_text(encoding="utf-8"), roots=(root,) if root else ())
    assert results is not None, f"{name} was not recognised"
    return results


PYTEST_DEMO = {
    "tests/test_demo.py::test_pass": P,
    "tests/test_demo.py::test_fail": F,
    "tests/test_demo.py::test_param[1]": P,
    "tests/test_demo.py::test_param[2]": F,
    "tests/test_demo.py::test_param[a b]": P,
    "tests/test_demo.py::test_param[x::y]": P,
    "tests/test_demo.py::test_xfail": X,
    "tests/test_demo.py::test_xpass": P,
    "tests/test_demo.py::test_error": E,
    "tests/test_demo.py::TestGroup::test_inner": P,
    "tests/test_demo.py::UT::test_ut_ok": P,
    "tests/test_demo.py::UT::test_ut_sub": F,  # PASSED, then SUBFAILED: the worse status wins
}


def test_pytest_rA_summary_gives_node_ids_and_statuses() -> None:
    results = parsed("pytest-9.0.3-rA-q.txt")
    assert results.tests == PYTEST_DEMO  # the skipped test is named by location only in -rA
    assert results.formats == ["pytest"]


def test_pytest_collection_error_names_the_module() -> None:
    results = parsed("pytest-9.0.3-collection-error.txt")
    assert results.tests["broken/test_broken_import.py"] is E
    assert results.tests["tests/test_demo.py::test_param[2]"] is F


def test_pytest_junit_report() -> None:
    results = parse_junit_results((OUT / "pytest-9.0.3-junit.xml").read_text(encoding="utf-8"))
    assert results is not None
    assert results.tests["tests.test_demo::test_param[2]"] is F
    assert results.tests["tests.test_demo::test_skip"] is S
    assert results.tests["tests.test_demo::test_xfail"] is X
    assert results.tests["tests.test_demo::test_error"] is E
    assert results.tests["tests.test_demo.TestGroup::test_inner"] is P
    assert len(results.tests) == 13


def test_unittest_verbose_and_default() -> None:
    verbose = parsed("unittest-3.11.7-v.txt")
    assert verbose.tests == {
        "pkg.test_ut.Calc.test_add": P,
        "pkg.test_ut.Calc.test_error": E,
        "pkg.test_ut.Calc.test_fail": F,  # its docstring pushed the status to the next line
        "pkg.test_ut.Calc.test_skip": S,
        "pkg.test_ut.Calc.test_sub": F,  # one subtest failed
        "pkg.test_ut.Calc.test_xfail": X,
        "pkg.test_ut.Calc.test_xpass": F,  # an unexpected success fails the run
        "pkg.test_ut.Other.test_ok": P,  # it printed "noise ... ok" itself
    }
    default = parsed("unittest-3.11.7-default.txt")
    # The default output names only the tests that did not pass.
    assert default.tests == {k: v for k, v in verbose.tests.items() if v.is_failure}


NODE_DEMO = {
    "suite A > works": P,
    "suite A > nested > deep # hash": P,
    "adds": P,
    "fails": F,
    "skipped one": S,
    "todo one": S,
    "group > inner ok": P,
    "group > inner bad": F,
}


@pytest.mark.parametrize("name", ["node-20.20.2-tap.txt", "node-20.20.2-spec.txt"])
def test_node_test_reporters_agree(name: str) -> None:
    assert parsed(name, "/tmp/gcap/node").tests == NODE_DEMO  # leaves only: suites are containers


def _js_demo(prefix: str) -> dict[str, TestStatus]:
    found: dict[str, TestStatus] = {}
    for file in ("calc", "other"):
        base = f"{prefix}{file}.test.js"
        found |= {
            f"{base} > {file} > adds": P,
            f"{base} > {file} > fails": F,
            f"{base} > {file} > skipped": S,
            f"{base} > {file} > todo later": S,
            f"{base} > {file} > nested group > deep > arrow": P,
            f"{base} > top level": P,
        }
    return found


def test_jest_verbose_and_json_agree() -> None:
    assert parsed("jest-30.1.3-verbose.txt").tests == _js_demo("src/")
    assert parsed("jest-30.1.3-json.txt", "/tmp/gcap/js").tests == _js_demo("src/")


def test_jest_default_reporter_names_the_failures() -> None:
    assert parsed("jest-30.1.3-default.txt").tests == {k: v for k, v in _js_demo("src/").items() if v is F}


def test_vitest_reporters_agree() -> None:
    assert parsed("vitest-3.2.4-verbose.txt").tests == _js_demo("")
    assert parsed("vitest-3.2.4-default.txt").tests == _js_demo("")
    # The JSON reporter names files by path: from the workspace root (/tmp/gcap/js), not vitest's.
    assert parsed("vitest-3.2.4-json.txt", "/tmp/gcap/js").tests == _js_demo("vt/")


def test_mocha_spec_and_json_agree() -> None:
    expected = {
        "top level": P,
        "calc adds": P,
        "calc fails": F,
        "calc skipped": S,
        "calc pending no fn": S,
        "calc nested group deep > arrow": P,
    }
    assert parsed("mocha-11.7.4-spec.txt").tests == expected
    assert parsed("mocha-11.7.4-json.txt", "/tmp/gcap/js").tests == expected


def test_go_test_json() -> None:
    assert parsed("go-1.19.8-json.txt").tests == {
        "example.com/demo/broken": E,  # did not build
        "example.com/demo/calc::TestAdd": P,
        "example.com/demo/calc::TestFail": F,
        "example.com/demo/calc::TestSkip": S,
        "example.com/demo/calc::TestTable": F,
        "example.com/demo/calc::TestTable/one": P,
        "example.com/demo/calc::TestTable/two_words": F,
    }


def test_tape_groups_assertions_by_test() -> None:
    results = parsed("tape-5.10.2-qs.txt", "/tmp/gcap/qs")
    assert results.formats == ["tap"]
    failing = results.failing()
    assert failing == ["interprets numeric entities above U+FFFF as surrogate pairs"]
    assert results.tests["parse()"] is P
    assert len(results.tests) == 392


def test_each_format_is_read_only_by_its_own_parser() -> None:
    """No output is claimed by a second parser: its ids would be garbage."""
    for path in sorted(OUT.glob("*.txt")):
        results = parse_test_results(path.read_text(encoding="utf-8"))
        assert results is not None, path.name
        assert len(results.formats) == 1, (path.name, results.formats)
