"""SWE-bench's grading rules, and how repeated runs of two trees become a lock."""

from __future__ import annotations

from zebench.grading import TestResults, TestStatus, classify_tests, grade

P, F, E, S, X = TestStatus.PASSED, TestStatus.FAILED, TestStatus.ERROR, TestStatus.SKIPPED, TestStatus.XFAIL


def results(**tests: TestStatus) -> TestResults:
    return TestResults(tests=dict(tests))


def test_resolved_only_when_every_listed_test_passes() -> None:
    verdict = grade(results(a=P, b=X, c=P), ["a", "b"], ["c"])
    assert verdict.resolved and verdict.summary == "resolved: 2/2 fail-to-pass, 1/1 pass-to-pass"


def test_missing_tests_fail_and_skips_count_by_list() -> None:
    verdict = grade(results(a=S, c=S), ["a", "b"], ["c", "d"])
    assert not verdict.resolved
    assert verdict.fail_to_pass.failing == ["a", "b"]  # skipped F2P fails; missing fails
    assert verdict.fail_to_pass.missing == ["b"]
    assert verdict.pass_to_pass.passed == 1  # skipped P2P passes ...
    assert verdict.pass_to_pass.failing == ["d"]  # ... a missing one does not


def test_partial_is_reported_but_not_resolved() -> None:
    verdict = grade(results(a=P, b=P, c=P, d=F, e=E, z=P), ["a", "b", "c", "d", "e"], ["z"])
    assert not verdict.resolved and verdict.partial
    assert verdict.summary == "partial: 3/5 fail-to-pass"
    broken = grade(results(a=P, z=F), ["a", "b"], ["z"])
    assert not broken.partial  # a P2P test broke: not partial
    assert broken.summary == "not resolved: 1/2 fail-to-pass, 0/1 pass-to-pass"


def test_nothing_parsed_leaves_every_test_missing() -> None:
    verdict = grade(None, ["a"], ["b"])
    assert not verdict.resolved and verdict.fail_to_pass.missing == ["a"]


def test_a_forged_pass_line_cannot_hide_a_failure() -> None:
    found = results(a=F)
    found.add("a", P)
    assert found.tests["a"] is F


def test_classify_repeats_into_lists_flaky_and_problems() -> None:
    before = [results(bug=F, keep=P, wobble=P, new_e=E), results(bug=F, keep=P, wobble=F, new_e=E)]
    after = [
        results(bug=P, keep=P, wobble=P, new_e=P, gone=S),
        results(bug=P, keep=P, wobble=P, new_e=P, gone=S),
    ]
    lock = classify_tests(before, after)
    assert lock.fail_to_pass == ["bug", "new_e"]
    assert lock.pass_to_pass == ["keep"]
    assert lock.flaky == ["wobble"]
    assert lock.problems == []


def test_classify_refuses_a_solution_that_leaves_failures_or_catches_nothing() -> None:
    broken = classify_tests([results(a=F, b=P)], [results(a=P, b=F)])
    assert (
        broken.problems
        and "do not pass with the solution" in broken.problems[0]
        and "b" in broken.problems[0]
    )
    nothing = classify_tests([results(a=P)], [results(a=P)])
    assert nothing.problems == [
        "no test fails on the pristine fixture and passes with the solution: the hidden tests do not catch the bug"
    ]
    unread = classify_tests([None], [None])
    assert "no per-test results could be read" in unread.problems[0]


def test_a_test_missing_before_and_passing_after_is_fail_to_pass() -> None:
    lock = classify_tests([results(old=P), results(old=P)], [results(old=P, new=P), results(old=P, new=P)])
    assert lock.fail_to_pass == ["new"] and lock.pass_to_pass == ["old"]
