"""Long steps on the console as they happen (a :class:`~zebench.steps.StepReporter`).

In a terminal: a Rich display with an overall bar (when the command knows how many subjects it
works through, e.g. scenarios) and a spinner with the elapsed time for the current step; a step
that took a second or more leaves one line behind. Elsewhere (CI logs, pipes): one plain line as
each step starts, so a log never sits silent through a download. ``quiet`` (``--json``): nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

LINGER_S = 1.0  # a finished step at least this long stays on screen as one line


class _CountColumn(MofNCompleteColumn):
    """``3/12`` on the overall row; nothing on a step's row (a step has no count)."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.total is not None else Text("")


class StepsView:
    """Shows the steps of ``what`` (e.g. "fetch") over ``total`` subjects, or just the steps."""

    def __init__(
        self, console: Console, *, what: str = "", total: int | None = None, quiet: bool = False
    ) -> None:
        self.console = console
        self.quiet = quiet
        self.live = console.is_terminal and not quiet
        self.subject_name = ""
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            _CountColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.live,
        )
        self._overall: Any = None
        if total is not None and total > 1:
            self._overall = self._progress.add_task(what, total=total)

    def __enter__(self) -> StepsView:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def subject(self, name: str) -> None:
        """The steps that follow are about ``name`` (a scenario)."""
        self.subject_name = name
        if self._overall is not None:
            self._progress.update(self._overall, description=name)

    def advance(self) -> None:
        """One subject is done."""
        if self._overall is not None:
            self._progress.advance(self._overall)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show ``label`` while the block runs (see the module's docstring for how)."""
        text = f"{self.subject_name}: {label}" if self.subject_name else label
        if self.quiet:
            yield
            return
        if not self.live:
            self.console.print(Text(f"{text} …"), soft_wrap=True, highlight=False)
            yield
            return
        # Under the overall row (which names the subject) the step's own row needs only its label.
        task = self._progress.add_task(f"  {label}" if self._overall is not None else text, total=None)
        started = time.monotonic()
        try:
            yield
        finally:
            self._progress.remove_task(task)
        seconds = time.monotonic() - started
        if seconds >= LINGER_S:
            self._progress.console.print(Text(f"{text} ({seconds:.1f} s)", style="dim"), soft_wrap=True)
