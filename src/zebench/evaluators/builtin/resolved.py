"""``resolved``: SWE-bench's verdict. 1 only when every fail-to-pass and every pass-to-pass test passes.

A separate evaluator rather than a mode of ``test``: the two answer different questions (what
share of the suite passes; whether the task is done), so each keeps its own row in a run's scores
and its own line in the per-evaluator statistics, and a scenario may weigh both.
"""

from __future__ import annotations

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator, describe_outcome
from zebench.grading import grade
from zebench.grading.collect import collect_results, junit_globs
from zebench.results.models import EvaluationResult

LISTED_CAP = 50  # failing test ids kept in the details


@register_evaluator("resolved")
class ResolvedEvaluator(BaseEvaluator):
    """Score 1 when resolved, else 0; the summary says how far it got (``partial: 3/5 fail-to-pass``)."""

    name = "resolved"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        scenario = ctx.scenario
        if not scenario.has_test_lists:
            return self.skipped(
                ctx, "no fail_to_pass / pass_to_pass lists: write them with zebench check --lock"
            )
        commands = [c for c in ctx.validation if c.kind == "test"]
        if not commands:
            return self.skipped(ctx, "no test command configured")
        broken = [c for c in commands if c.timed_out or c.exit_code is None]
        if broken:
            outcome = describe_outcome(broken[0])
            return self.scored(ctx, 0.0, passed=False, summary=f"tests {outcome}: not resolved")
        results = ctx.test_results
        if results is None:
            results = collect_results(ctx.validation, ctx.workspace, junit=junit_globs(scenario.evaluators))
        resolution = grade(results, scenario.fail_to_pass, scenario.pass_to_pass)
        f2p, p2p = resolution.fail_to_pass, resolution.pass_to_pass
        details = {
            "resolved": resolution.resolved,
            "partial": resolution.partial,
            "fail_to_pass": {"passed": f2p.passed, "total": f2p.total, "failing": f2p.failing[:LISTED_CAP]},
            "pass_to_pass": {"passed": p2p.passed, "total": p2p.total, "failing": p2p.failing[:LISTED_CAP]},
            "missing": (f2p.missing + p2p.missing)[:LISTED_CAP],
            "parsed": results is not None,
        }
        summary = resolution.summary
        if results is None:
            summary += " (no per-test results could be read)"
        return self.scored(
            ctx,
            1.0 if resolution.resolved else 0.0,
            passed=resolution.resolved,
            summary=summary,
            details=details,
        )
