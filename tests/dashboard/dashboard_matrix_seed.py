"""A realistic matrix batch for the layout and screenshot tests: the bundled examples' real scenario
names, three agents with long model names, three tiers, warmup controls of every kind, a specialist
arm, and runs whose cost is measured, estimated or unknown."""

from __future__ import annotations

from datetime import timedelta

from dashboard_seed import T0, make_run

from zebench.results.models import BatchRecord, CommandResult, ControlResult, RunStatus
from zebench.store.base import ResultStore

MATRIX = "batch_1741262400000"
EXAMPLES = (
    "fix-failing-tests",
    "fix-lint-errors",
    "add-type-annotations",
    "bump-dependency-pins",
    "implement-feature",
    "node-fix-tests",
)
# (agent, model, cost kind): anthropic's cost comes from the price table, OpenRouter reports its own,
# the oracle calls no model (a measured zero).
MATRIX_AGENTS = (
    ("anthropic", "claude-sonnet-4-6", "estimated"),
    ("openrouter", "anthropic/claude-sonnet-4.6", "measured"),
    ("oracle", None, "measured"),
)
MATRIX_TIERS = ("L0", "L1", "L2")
UNPRICED_RUN = "run_matrix_unpriced"
SPECIALIST = "@acme/typescript-upgrader"


def _controls(store: ResultStore) -> None:
    """One control per kind: failing as intended, broken (the tool is missing), passing."""
    ran = T0 + timedelta(days=5)
    store.save_control(
        MATRIX,
        ControlResult(suite="examples", scenario="fix-failing-tests", passed=False, ran_at=ran,
                      commands=[CommandResult(name="tests", kind="test", command="python3 -m unittest discover -s tests",
                                              exit_code=1, stdout="FAILED (failures=2)")]),
    )  # fmt: skip
    store.save_control(
        MATRIX,
        ControlResult(suite="examples", scenario="bump-dependency-pins", passed=False, ran_at=ran,
                      commands=[CommandResult(name="install", kind="install", command="pnpm install --frozen-lockfile",
                                              exit_code=127, stderr="sh: 1: pnpm: not found")]),
    )  # fmt: skip
    store.save_control(
        MATRIX,
        ControlResult(suite="examples", scenario="implement-feature", passed=True, ran_at=ran,
                      commands=[CommandResult(name="tests", kind="test", command="python3 -m unittest", exit_code=0)]),
    )  # fmt: skip


def seed_matrix(store: ResultStore) -> None:
    """54 runs: 6 scenarios × 3 tiers × 3 agents, a tenth of them with a specialist; plus controls."""
    created = T0 + timedelta(days=5)
    store.save_batch(
        BatchRecord(batch_id=MATRIX, created_at=created, completed_at=created + timedelta(hours=2))
    )
    n = 0
    for s, scenario in enumerate(EXAMPLES):
        for t, tier in enumerate(MATRIX_TIERS):
            for a, (agent, model, kind) in enumerate(MATRIX_AGENTS):
                n += 1
                score = 1.0 if agent == "oracle" else round(0.35 + 0.1 * s + 0.08 * t + 0.05 * a, 3) % 1.0
                cost = 0.0 if agent == "oracle" else round(0.01 + 0.004 * s + 0.002 * t, 4)
                run = make_run(0, n, run_id=f"run_1741262400{n:03d}_m", batch_id=MATRIX, scenario=scenario,
                               tier=tier, agent=agent, model=model, total_score=score,
                               is_successful=score >= 0.7, reason=None if score >= 0.7 else f"score {score} below 0.7",
                               started_at=created + timedelta(minutes=n),
                               specialist_name=SPECIALIST if n % 4 == 0 else None,
                               specialist_version="2.1.0" if n % 4 == 0 else None)  # fmt: skip
                run.telemetry.cost_usd, run.telemetry.cost_kind = cost, kind  # type: ignore[assignment]
                store.save_run(run)
    unpriced = make_run(0, 99, run_id=UNPRICED_RUN, batch_id=MATRIX, scenario="fix-failing-tests", tier="L1",
                        agent="openai", model="local-llama-3.1-70b-instruct-q4", status=RunStatus.COMPLETED,
                        started_at=created + timedelta(minutes=90))  # fmt: skip
    unpriced.telemetry.cost_usd, unpriced.telemetry.cost_kind = None, None
    store.save_run(unpriced)
    _controls(store)
