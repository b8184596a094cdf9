"""Progress events from the runner, so a CLI or a live view can show what each run is doing."""

from __future__ import annotations

from typing import Protocol

from zebench.results.models import ControlResult, RunRecord

PHASES = ("setup", "warmup", "workspace", "agent", "validation", "evaluation", "store")


class ProgressReporter(Protocol):
    """Receives runner events. Implementations must be thread-safe: parallel runs report concurrently."""

    def phase(self, run_label: str, phase: str, detail: str = "") -> None:
        """A run entered one of PHASES."""

    def event(self, run_label: str, message: str) -> None:
        """Something worth showing: a retry wait, a warning."""

    def control_finished(self, control: ControlResult) -> None:
        """A warmup (control) result is ready."""

    def run_finished(self, record: RunRecord) -> None:
        """A run was stored."""


class NullProgress:
    """Reports nothing; the default for library use."""

    def phase(self, run_label: str, phase: str, detail: str = "") -> None:
        return None

    def event(self, run_label: str, message: str) -> None:
        return None

    def control_finished(self, control: ControlResult) -> None:
        return None

    def run_finished(self, record: RunRecord) -> None:
        return None
