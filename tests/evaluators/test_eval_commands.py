"""install/build/lint/typecheck evaluators, the error wrapper and the registry."""

from __future__ import annotations

from pathlib import Path

from evalkit import MakeCtx

from zebench.evaluators import EvaluationContext, evaluator_names, get_evaluator
from zebench.evaluators.builtin import BaseEvaluator
from zebench.results.models import EvaluationResult


def test_builtins_are_registered() -> None:
    names = evaluator_names()
    for name in (
        "install",
        "build",
        "lint",
        "typecheck",
        "test",
        "heuristic_checks",
        "dependencies",
        "integrity",
    ):
        assert name in names
    assert get_evaluator("lint").name == "lint"


def test_successful_command_scores_one(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cmd(ws, "echo installing; echo done", kind="install")
    ctx = make_ctx("install", ws, validation=[result], weight=2.0, required=True)
    ev = get_evaluator("install").evaluate(ctx)
    assert (ev.status, ev.score, ev.passed, ev.weight, ev.required) == ("scored", 1.0, True, 2.0, True)
    assert ev.details["exit_code"] == 0
    assert ev.details["command"] == "echo installing; echo done"
    assert ev.details["output_tail"].endswith("done")
    assert "duration_ms" in ev.details and ev.details["timed_out"] is False


def test_failing_command_scores_zero_with_last_40_lines(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cmd(ws, "for i in $(seq 1 100); do echo line$i; done; echo boom >&2; exit 3", kind="lint")
    ev = get_evaluator("lint").evaluate(make_ctx("lint", ws, validation=[result]))
    assert (ev.score, ev.passed) == (0.0, False)
    tail = ev.details["output_tail"].splitlines()
    assert len(tail) == 40 and tail[-1] == "boom" and tail[0] == "line62"
    assert ev.details["exit_code"] == 3
    assert "exit 3" in ev.summary


def test_timed_out_command_scores_zero(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cmd(ws, "sleep 5", kind="typecheck", timeout_s=0.2)
    ev = get_evaluator("typecheck").evaluate(make_ctx("typecheck", ws, validation=[result]))
    assert (ev.score, ev.passed, ev.details["timed_out"]) == (0.0, False, True)
    assert "timed out" in ev.summary


def test_last_command_of_a_kind_decides(make_ctx: MakeCtx, run_cmd, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    first = run_cmd(ws, "exit 1", kind="build")
    second = run_cmd(ws, "true", kind="build")
    ev = get_evaluator("build").evaluate(make_ctx("build", ws, validation=[first, second]))
    assert ev.score == 1.0


def test_missing_command_is_skipped_not_zero(make_ctx: MakeCtx) -> None:
    for kind in ("install", "build", "lint", "typecheck", "test"):
        ev = get_evaluator(kind).evaluate(make_ctx(kind))
        assert ev.status == "skipped"
        assert ev.score is None
        assert ev.summary == f"no {kind} command configured"


class _Explodes(BaseEvaluator):
    name = "_explodes_for_test"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        raise RuntimeError("disk on fire")


def test_exception_becomes_error_status(make_ctx: MakeCtx) -> None:
    ev = _Explodes().evaluate(make_ctx("_explodes_for_test", weight=3.0, required=True))
    assert ev.status == "error"
    assert ev.score is None
    assert (ev.weight, ev.required, ev.passed) == (3.0, True, False)
    assert "disk on fire" in ev.summary and "RuntimeError" in ev.details["error"]
