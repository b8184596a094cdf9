"""``install``, ``build``, ``lint`` and ``typecheck``: did the matching validation command succeed?"""

from __future__ import annotations

from typing import ClassVar

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator, command_details, describe_outcome
from zebench.results.models import EvaluationResult


class CommandEvaluator(BaseEvaluator):
    """Scores 1 when the last validation command of ``kind`` exited 0 in time, else 0."""

    kind: ClassVar[str] = ""

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        result = ctx.command(self.kind)
        if result is None:
            return self.skipped(ctx, f"no {self.kind} command configured")
        ok = result.ok
        seconds = result.duration_ms / 1000
        return self.scored(
            ctx,
            1.0 if ok else 0.0,
            passed=ok,
            summary=f"{self.kind} {'passed' if ok else 'failed'}: {describe_outcome(result)} in {seconds:.1f}s",
            details=command_details(result),
        )


@register_evaluator("install")
class InstallEvaluator(CommandEvaluator):
    """Did the install command succeed?"""

    name = "install"
    kind = "install"


@register_evaluator("build")
class BuildEvaluator(CommandEvaluator):
    """Did the build command succeed?"""

    name = "build"
    kind = "build"


@register_evaluator("lint")
class LintEvaluator(CommandEvaluator):
    """Did the lint command succeed?"""

    name = "lint"
    kind = "lint"


@register_evaluator("typecheck")
class TypecheckEvaluator(CommandEvaluator):
    """Did the typecheck command succeed?"""

    name = "typecheck"
    kind = "typecheck"
