"""A Rich progress display for the runner's events."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zebench.results.models import ControlResult, RunRecord
from zebench.runner.progress import PHASES


class RichProgress:
    """Shows each run's phase (setup → store) and overall progress; thread-safe."""

    def __init__(self, console: Console, total_runs: int, *, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self._lock = threading.Lock()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not enabled,
        )
        self._overall = self._progress.add_task("runs", total=total_runs)
        self._tasks: dict[str, Any] = {}
        self.finished: list[RunRecord] = []
        self.controls: list[ControlResult] = []

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def _task(self, label: str) -> Any:
        if label not in self._tasks:
            self._tasks[label] = self._progress.add_task(label, total=len(PHASES))
        return self._tasks[label]

    def phase(self, run_label: str, phase: str, detail: str = "") -> None:
        with self._lock:
            task = self._task(run_label)
            step = PHASES.index(phase) if phase in PHASES else 0
            text = f"{run_label}: {phase}" + (f" ({detail})" if detail else "")
            self._progress.update(task, completed=step, description=text)

    def event(self, run_label: str, message: str) -> None:
        with self._lock:
            self._progress.console.print(f"[dim]{run_label}: {message}[/dim]")

    def control_finished(self, control: ControlResult) -> None:
        with self._lock:
            self.controls.append(control)
            task = self._tasks.pop(f"{control.suite}/{control.scenario}", None)
            if task is not None:
                self._progress.remove_task(task)
            state = "passes" if control.passed else "fails (as many scenarios do before the agent works)"
            self._progress.console.print(f"[dim]warmup {control.suite}/{control.scenario}: control {state}[/dim]")

    def run_finished(self, record: RunRecord) -> None:
        with self._lock:
            self.finished.append(record)
            for label in list(self._tasks):
                if label.startswith(f"{record.suite}/{record.scenario} {record.tier} {record.agent}"):
                    self._progress.remove_task(self._tasks.pop(label))
                    break
            self._progress.advance(self._overall)
