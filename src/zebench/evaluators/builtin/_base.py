"""Shared plumbing for the built-in evaluators: result constructors and exception capture."""

from __future__ import annotations

from typing import Any, ClassVar

from zebench.evaluators.base import EvaluationContext
from zebench.results.models import CommandResult, EvaluationResult

OUTPUT_TAIL_LINES = 40


class BaseEvaluator:
    """Base class for built-ins: subclasses implement :meth:`run`; :meth:`evaluate` never raises.

    An unexpected exception becomes an ``error`` result carrying the message, so one broken
    evaluator cannot take the whole run down and is never mistaken for a score of 0.
    """

    name: ClassVar[str] = ""

    def evaluate(self, ctx: EvaluationContext) -> EvaluationResult:
        """Run the evaluator, turning any exception into an ``error`` result."""
        try:
            return self.run(ctx)
        except Exception as exc:
            return EvaluationResult(
                name=self.name,
                status="error",
                score=None,
                weight=ctx.spec.weight,
                required=ctx.spec.required,
                passed=False,
                summary=f"error: {type(exc).__name__}: {exc}".splitlines()[0][:300],
                details={"error": f"{type(exc).__name__}: {exc}"},
            )

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        """Evaluate the run; may raise."""
        raise NotImplementedError

    def scored(
        self,
        ctx: EvaluationContext,
        score: float,
        *,
        passed: bool,
        summary: str,
        details: dict[str, Any] | None = None,
    ) -> EvaluationResult:
        """A ``scored`` result with the spec's weight and required flag; the score is clamped to 0..1."""
        return EvaluationResult(
            name=self.name,
            status="scored",
            score=min(1.0, max(0.0, float(score))),
            weight=ctx.spec.weight,
            required=ctx.spec.required,
            passed=passed,
            summary=summary,
            details=details or {},
        )

    def skipped(
        self, ctx: EvaluationContext, summary: str, details: dict[str, Any] | None = None
    ) -> EvaluationResult:
        """A ``skipped`` result: the evaluator could not run, so it does not count towards the total."""
        return EvaluationResult(
            name=self.name,
            status="skipped",
            score=None,
            weight=ctx.spec.weight,
            required=ctx.spec.required,
            passed=False,
            summary=summary,
            details=details or {},
        )


def output_tail(result: CommandResult, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last ``lines`` lines of a command's stdout followed by its stderr."""
    combined = "\n".join(part.rstrip("\n") for part in (result.stdout, result.stderr) if part.strip())
    return "\n".join(combined.splitlines()[-lines:])


def command_details(result: CommandResult) -> dict[str, Any]:
    """The facts about a validation command that every command-based evaluator reports."""
    return {
        "command": result.command,
        "exit_code": result.exit_code,
        "duration_ms": result.duration_ms,
        "timed_out": result.timed_out,
        "error": result.error,
        "output_tail": output_tail(result),
    }


def describe_outcome(result: CommandResult) -> str:
    """A short phrase for a command's outcome: ``exit 0``, ``timed out``, ``could not start``."""
    if result.timed_out:
        return "timed out"
    if result.exit_code is None:
        return result.error or "did not run"
    if result.exit_code == 127 and "not found" in result.stderr:
        # The shell's 127 means the program is missing: say which, so the reason is actionable.
        program = result.command.split()[0] if result.command.split() else result.command
        return f"exit 127, command not found: {program}"
    return f"exit {result.exit_code}"
