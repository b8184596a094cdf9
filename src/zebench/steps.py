"""Long steps, reported as they happen: downloads, environment builds, proofs, repeats.

Library functions that can take seconds (``prepare_scenario``, ``prove_scenario``) accept a
:class:`StepReporter` and wrap each real piece of work in ``steps.step("what")``; a step that
finds its result in the cache reports nothing. The CLI shows them as a spinner with the elapsed
time in a terminal and as one line per step in a log (``zebench.cli.steps_view``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class StepReporter(Protocol):
    """Receives steps. ``step(label)`` starts one (``label`` says what, e.g. "download toolz==1.1.0
    from PyPI"); it ends when the returned context exits, with or without an exception."""

    def step(self, label: str) -> AbstractContextManager[object]: ...


class NullSteps:
    """Reports nothing: the default for library use."""

    def step(self, label: str) -> AbstractContextManager[object]:
        return nullcontext()


NO_STEPS = NullSteps()
