"""The shapes of a run's results: commands, evaluations, telemetry, trajectory and the run record.

These models cross every boundary (runner → store → HTTP API → dashboard → mint), so they live at the
bottom of the dependency graph and import nothing else from zebench.
"""

from zebench.results.models import (
    ArtifactName,
    BatchRecord,
    CommandKind,
    CommandResult,
    ControlResult,
    CostKind,
    DependencyChange,
    EvaluationResult,
    EvaluationStatus,
    FileChange,
    RunRecord,
    RunStatus,
    Telemetry,
    TestSummary,
    TokenUsage,
    new_batch_id,
    new_run_id,
    utcnow,
)
from zebench.results.trajectory import Trajectory, TrajectoryStep

__all__ = [
    "ArtifactName",
    "BatchRecord",
    "CommandKind",
    "CommandResult",
    "ControlResult",
    "CostKind",
    "DependencyChange",
    "EvaluationResult",
    "EvaluationStatus",
    "FileChange",
    "RunRecord",
    "RunStatus",
    "Telemetry",
    "TestSummary",
    "TokenUsage",
    "Trajectory",
    "TrajectoryStep",
    "new_batch_id",
    "new_run_id",
    "utcnow",
]
