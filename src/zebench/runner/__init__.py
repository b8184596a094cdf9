"""Orchestrates runs: scenario → workspace → agent → validation → evaluators → score → store."""

from zebench.runner.batch import BatchOutcome, run_batch
from zebench.runner.pipeline import RunSpec, run_one
from zebench.runner.progress import NullProgress, ProgressReporter
from zebench.runner.sink import ResultSink
from zebench.runner.warmup import run_warmup

__all__ = [
    "BatchOutcome",
    "NullProgress",
    "ProgressReporter",
    "ResultSink",
    "RunSpec",
    "run_batch",
    "run_one",
    "run_warmup",
]
