"""What a run's record takes from the agent phase: the agent's report and its changes."""

from __future__ import annotations

from pathlib import Path

from zebench.agents import AgentResult
from zebench.results.models import RunRecord, Telemetry
from zebench.results.ranges import is_cost
from zebench.scenarios.model import WorkspaceLimits
from zebench.workspace import Workspace, WorkspaceDiff

DIFF_CAP_BYTES = 2_000_000
_OMITTED_SHOWN = 200  # files named as left out of the diff, per run


def record_agent_result(record: RunRecord, agent_result: AgentResult, agent_ms: int, workspace: Path) -> None:
    """What the agent reported: its model, time, turns, usage, cost, final message and metadata."""
    if agent_result.model:
        record.model = agent_result.model
    # A plug-in agent's cost outside 0..1e9 (negative, NaN) is no measurement: unknown instead.
    known_cost = is_cost(agent_result.cost_usd)
    record.telemetry = Telemetry(
        agent_duration_ms=agent_ms,
        turns=agent_result.turns,
        tokens=agent_result.usage,
        cost_usd=agent_result.cost_usd if known_cost else None,
        cost_kind=agent_result.cost_kind if known_cost else None,
        workspace_dir=str(workspace),
    )
    record.artifacts["agent_output"] = agent_result.final_message
    if agent_result.metadata:
        # What the agent reported about itself (a CLI's version, exit code, its own usage figures).
        record.metadata["agent"] = agent_result.metadata


def record_diff(
    record: RunRecord, workspace: Workspace, limits: WorkspaceLimits
) -> tuple[WorkspaceDiff, str | None]:
    """The agent's changes, in the record; and the run's reason if they broke the workspace limits."""
    diff = workspace.diff(DIFF_CAP_BYTES, limits=limits)
    record.artifacts["diff"] = diff.patch
    record.changed_files = diff.changed_files
    record.dependency_changes = diff.dependency_changes
    record.metadata["diff_truncated"] = diff.truncated
    if diff.omitted:
        record.metadata["diff_omitted"] = [o.model_dump() for o in diff.omitted[:_OMITTED_SHOWN]]
    return diff, _limit_reason(diff.over_limit, limits)


def _limit_reason(over_limit: str | None, limits: WorkspaceLimits) -> str | None:
    """The run's reason when the agent left a workspace over its limits."""
    if over_limit is None:
        return None
    return (
        f"workspace_limit: the agent left {over_limit} in the workspace (limits: {limits.files} files, "
        f"{limits.bytes} bytes; raise them with workspace_limits: in scenario.yaml or "
        "--max-workspace-files / --max-workspace-bytes)"
    )
