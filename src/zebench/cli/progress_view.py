"""A Rich live view of a batch: each in-flight run's phase, overall progress with an ETA, and waits."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from zebench.cli.render import fmt_score, status_text
from zebench.results.models import ControlResult, RunRecord
from zebench.runner.progress import PHASES

LIMITER_PREFIX = "limiter:"  # events from the batch's rate limiters, shown in one status row


class _EtaColumn(ProgressColumn):
    """The ETA, on the overall row only (a run's phases are not evenly long)."""

    def __init__(self) -> None:
        super().__init__()
        self._remaining = TimeRemainingColumn()

    def render(self, task: Task) -> Text:
        if not task.fields.get("overall"):
            return Text("")
        return Text.assemble("ETA ", self._remaining.render(task))


class RichProgress:
    """Shows each run's phase (setup → store), overall progress and ETA, and rate-limit waits.

    With ``lines`` instead (a log, not a terminal): one line as each warmup or run starts and one
    as each run ends, so a CI log shows the batch moving. Thread-safe: parallel runs (and Dask's
    event thread) report concurrently.
    """

    def __init__(
        self, console: Console, total_runs: int, *, enabled: bool = True, lines: bool = False
    ) -> None:
        self.console = console
        self.enabled = enabled
        self.lines = lines and not enabled
        self._total = total_runs
        self._lock = threading.Lock()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            _EtaColumn(),
            console=console,
            transient=True,
            disable=not enabled,
            refresh_per_second=4,
        )
        self._overall = self._progress.add_task("runs", total=total_runs, overall=True)
        self._waits = self._progress.add_task("", total=None, visible=False)
        self._wait_lines: dict[str, str] = {}
        self._tasks: dict[str, Any] = {}
        self._phase_text: dict[str, str] = {}
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
        if self.lines:
            self._line_for_phase(run_label, phase)
            return
        with self._lock:
            task = self._task(run_label)
            step = PHASES.index(phase) if phase in PHASES else 0
            text = f"{run_label}: {phase}" + (f" ({detail})" if detail else "")
            self._phase_text[run_label] = text
            self._progress.update(task, completed=step, description=text)

    def event(self, run_label: str, message: str) -> None:
        with self._lock:
            if run_label.startswith(LIMITER_PREFIX):
                # A rate-limit wait: keep the latest per provider on one row instead of scrolling.
                self._wait_lines[run_label.removeprefix(LIMITER_PREFIX)] = message
                text = "waits: " + "; ".join(f"{p}: {m}" for p, m in sorted(self._wait_lines.items()))
                self._progress.update(self._waits, description=text, visible=True)
                return
            if run_label in self._tasks:  # e.g. a retry wait: shown on the run's own row too
                text = f"{self._phase_text.get(run_label, run_label)} — {message}"
                self._progress.update(self._tasks[run_label], description=text)
            self._progress.console.print(f"[dim]{run_label}: {message}[/dim]")

    def control_finished(self, control: ControlResult) -> None:
        with self._lock:
            self.controls.append(control)
            task = self._tasks.pop(f"{control.suite}/{control.scenario}", None)
            if task is not None:
                self._progress.remove_task(task)
            state = "passes" if control.passed else "fails (as many scenarios do before the agent works)"
            self._progress.console.print(
                f"[dim]warmup {control.suite}/{control.scenario}: control {state}[/dim]", soft_wrap=True
            )

    def _line_for_phase(self, run_label: str, phase: str) -> None:
        if phase == "warmup":
            self.console.print(
                Text(f"warmup {run_label}: validation on the pristine fixture …"), soft_wrap=True
            )
        elif phase == "setup":
            self.console.print(Text(f"run {run_label} …"), soft_wrap=True)

    def run_finished(self, record: RunRecord) -> None:
        if self.lines:
            with self._lock:
                self.finished.append(record)
                verdict = status_text(record.status, record.is_successful).plain
                score = "" if record.total_score is None else f" {fmt_score(record.total_score)}"
                self.console.print(
                    Text(
                        f"[{len(self.finished)}/{self._total}] {record.suite}/{record.scenario} {record.tier} "
                        f"{record.agent}: {verdict}{score} ({record.run_id})"
                    ),
                    soft_wrap=True,
                )
            return
        with self._lock:
            self.finished.append(record)
            label = record.metadata.get("label")
            if not isinstance(label, str) or label not in self._tasks:
                prefix = f"{record.suite}/{record.scenario} {record.tier} {record.agent}"
                label = next((name for name in self._tasks if name.startswith(prefix)), None)
            if label is not None:
                self._progress.remove_task(self._tasks.pop(label))
                self._phase_text.pop(label, None)
            self._progress.advance(self._overall)
