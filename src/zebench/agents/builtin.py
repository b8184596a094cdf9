"""Agents that need no model: ``echo`` (a no-op baseline) and ``oracle`` (the reference solution)."""

from __future__ import annotations

from zebench.agents.base import AgentOptions, AgentResult, AgentTask
from zebench.workspace.solution import apply_solution


class EchoAgent:
    """Changes nothing and answers with the prompt: the floor every scenario's score is compared to."""

    name = "echo"

    def __init__(self, options: AgentOptions | None = None) -> None:
        self.options = options or AgentOptions()

    def run(self, task: AgentTask) -> AgentResult:
        """Return the prompt as the final message without touching the workspace."""
        task.trajectory.message("assistant", task.prompt)
        # No model is called, so the cost is a measured zero rather than unknown.
        return AgentResult(
            status="completed",
            final_message=task.prompt,
            model=None,
            turns=0,
            cost_usd=0.0,
            cost_kind="measured",
        )


class OracleAgent:
    """Applies the scenario's reference solution: proves a scenario is solvable and scores ~1.

    A solution that is missing or fails to apply raises :class:`zebench.errors.WorkspaceError`; the
    runner stores the run as failed and exits with code 2, because the scenario itself is broken.
    """

    name = "oracle"

    def __init__(self, options: AgentOptions | None = None) -> None:
        self.options = options or AgentOptions()

    def run(self, task: AgentTask) -> AgentResult:
        """Apply the solution to ``task.workspace`` and note what was applied."""
        solution = task.scenario.solution
        apply_solution(task.scenario, task.workspace)
        assert solution is not None  # apply_solution raised otherwise
        message = f"applied the {solution.kind} solution {solution.path}"
        task.trajectory.note(message, solution_kind=solution.kind, solution_path=str(solution.path))
        return AgentResult(
            status="completed", final_message=message, turns=0, cost_usd=0.0, cost_kind="measured"
        )
