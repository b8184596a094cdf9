"""Wall time per run under a load the benchmark adds itself: zebench (bubblewrap) against Inspect AI.

For each kind of load in ``load.py`` (``cpu``: 2 × cores busy loops; ``cpu+disk``: half of them
writing and fsyncing on the work folder's filesystem), the two harnesses are measured
``--repeats`` times, interleaved (the order alternates), on the work of ``overhead.py``. Each
figure is the per-run slope (t(N) − t(1)) / (N − 1) of wall time; the ratio is taken within each
repetition (zebench's slope over Inspect's measured right beside it), and the table prints the
median and spread of each. Goal: zebench ≤ 1.2 × Inspect's wall per run.

    python benchmarks/saturation.py [--runs 40] [--repeats 5] [--inspect-python /tmp/inspect-venv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from load import KINDS, background_load
from overhead import Harness, harnesses, per_run, spread

GOAL = 1.2


@dataclass
class Saturated:
    """One kind of load: each harness's wall per run and the per-repetition ratios."""

    kind: str
    processes: int
    zebench_ms: list[float]
    inspect_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        return [z / i for z, i in zip(self.zebench_ms, self.inspect_ms, strict=True) if i > 0]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else float("nan")


def measure_saturated(sides: list[Harness], root: Path, runs: int, repeats: int) -> list[Saturated]:
    """Both harnesses under each kind of load; ``sides`` is (zebench+bwrap, inspect-ai)."""
    out = []
    for kind in KINDS:
        with background_load(kind, root) as processes:
            results = per_run(sides, runs, repeats)
        zebench, inspect = (results[side.name].wall_ms for side in sides)
        out.append(Saturated(kind, processes, zebench, inspect))
    return out


def compared(root: Path, args: argparse.Namespace) -> list[Harness]:
    """zebench under bubblewrap and Inspect AI; exits when Inspect's venv is missing."""
    sides = {side.name: side for side in harnesses(root, args)}
    if "inspect-ai" not in sides:
        raise SystemExit(f"Inspect AI is needed for this comparison: {args.inspect_python} is missing")
    return [sides["zebench+bwrap"], sides["inspect-ai"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--inspect-python", type=Path, default=Path("/tmp/inspect-venv/bin/python"))
    parser.add_argument("--tiktoken-cache", type=Path, default=Path("/tmp/tiktoken_cache"))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="zebench-saturation-"))
    try:
        rows = measure_saturated(compared(root, args), root, args.runs, args.repeats)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"wall per run under added load ({os.cpu_count()} cores), median [min–max] of {args.repeats}")
    for row in rows:
        verdict = "ok" if row.ratio <= GOAL else "MISSED"
        print(
            f"{row.kind:<9} ({row.processes} processes)  zebench+bwrap {spread(row.zebench_ms)}  "
            f"inspect-ai {spread(row.inspect_ms)}  ratio {spread(row.ratios, 'x', 2)}  "
            f"goal <= {GOAL}x {verdict}"
        )


if __name__ == "__main__":
    main()
