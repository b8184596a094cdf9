"""Every performance figure in one table: median [min–max] of repeats, its goal, the peer's figure
from the same run, and a verdict.

Figures, in the order measured (each script named gives more detail on its own):

* CPU per run (user + system of the harness and everything it starts, from a cgroup) of zebench
  under bubblewrap and Inspect AI on the same work, interleaved (``overhead.py``); goal ≤ 0.7×;
* wall per run of the same two under load the benchmark adds itself, CPU-bound and CPU plus disk at
  2 × the cores (``saturation.py``); goal ≤ 1.2×;
* start-up to the first run, and its CPU time (``startup.py``); goal ≤ 0.5 s;
* cost of a 40-turn run with and without prompt caching (``caching.py``, issue 18 part 3);
* validation time against the bare commands on the same tree, for a ``realworld`` scenario and the
  original's update-deps suite with pnpm, cold and warm stores (``validation_time.py``); ≤ 1.1×;
* bulk ingest on SQLite (``ingest_bench.py``), ≥ 500 runs/s, and Dask 2 workers against 1
  (``parallel.py``), ≥ 1.8×, each a median of repeats too.

Wall-time figures move with the machine's load (printed before and after): on a shared machine,
compare the ratios, taken within each repetition.

    python benchmarks/summary.py [--repeats 5] [--runs 100] [--skip SECTION ...]
        [--inspect-python /tmp/inspect-venv/bin/python] [--tiktoken-cache /tmp/tiktoken_cache]
        [--compat-dir /work/shared/compat/ze-benchmarks]

Sections: overhead, saturation, startup, caching, validation, ingest, dask. Inspect AI lives in a
throwaway venv (see overhead.py); without it, the comparisons say so.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from overhead import harnesses, per_run, spread
from saturation import measure_saturated

SECTIONS = ("overhead", "saturation", "startup", "caching", "validation", "ingest", "dask")
CPU_GOAL, SATURATED_GOAL, STARTUP_GOAL_S, VALIDATION_GOAL = 0.7, 1.2, 0.5, 1.1
INGEST_GOAL, DASK_GOAL, CACHING_GOAL = 500.0, 1.8, 3.0


class FigureUnavailable(Exception):
    """A figure this run cannot produce (a missing peer, script or prerequisite), and why."""


@dataclass
class Figure:
    name: str
    value: str
    goal: str
    peer: str
    verdict: str


def _verdict(ratio: float, goal: float, *, at_most: bool = True) -> str:
    ok = ratio <= goal if at_most else ratio >= goal
    return f"{ratio:.2f}x {'ok' if ok else 'MISSED'}"


def overhead(args: argparse.Namespace, root: Path) -> list[Figure]:
    sides = harnesses(root, args)
    results = per_run(sides, args.runs, args.repeats)
    bwrap, bare = results["zebench+bwrap"], results["zebench"]
    inspect = results.get("inspect-ai")
    peer = f"Inspect AI {spread(inspect.cpu_ms)}" if inspect else "Inspect AI not measured"
    ratios = [z / i for z, i in zip(bwrap.cpu_ms, inspect.cpu_ms, strict=True)] if inspect else []
    figures = [
        Figure(
            "CPU per run, bubblewrap sandbox",
            spread(bwrap.cpu_ms),
            f"<= {CPU_GOAL}x Inspect",
            peer,
            _verdict(statistics.median(ratios), CPU_GOAL) if ratios else "-",
        ),
        Figure("CPU per run, --sandbox none", spread(bare.cpu_ms), "-", peer, "-"),
        Figure(
            "wall per run, bubblewrap (machine's own load)",
            spread(bwrap.wall_ms),
            "-",
            f"Inspect AI {spread(inspect.wall_ms)}" if inspect else "-",
            "-",
        ),
        Figure(
            "one run end to end, t(1), bubblewrap",
            spread(bwrap.startup_wall_s, "s", 2),
            "-",
            f"Inspect AI {spread(inspect.startup_wall_s, 's', 2)}" if inspect else "-",
            "-",
        ),
    ]
    return figures


def saturation(args: argparse.Namespace, root: Path) -> list[Figure]:
    sides = {side.name: side for side in harnesses(root, args)}
    if "inspect-ai" not in sides:
        raise FigureUnavailable(f"Inspect AI is not installed at {args.inspect_python}")
    rows = measure_saturated(
        [sides["zebench+bwrap"], sides["inspect-ai"]], root, args.saturated_runs, args.repeats
    )
    return [
        Figure(
            f"wall per run, {row.processes} x {row.kind} load added",
            spread(row.zebench_ms),
            f"<= {SATURATED_GOAL}x Inspect",
            f"Inspect AI {spread(row.inspect_ms)}",
            _verdict(row.ratio, SATURATED_GOAL),
        )
        for row in rows
    ]


def start_up(args: argparse.Namespace, root: Path) -> list[Figure]:
    from startup import bytecode_state, startup, startup_cpu

    cwd = root / "startup"
    cwd.mkdir()
    startup(sys.executable, str(cwd), "--skip-warmup")  # creates and migrates the database
    # compiled at every start, or loaded from bytecode as an installed wheel's are: ~0.1 s apart
    bytecode = (
        "modules from bytecode"
        if "cached bytecode" in bytecode_state(sys.executable)
        else "modules compiled at start"
    )
    figures = []
    for label, extra in (
        ("start-up to first run, default warmup", ()),
        ("start-up, --skip-warmup", ("--skip-warmup",)),
    ):
        values = [startup(sys.executable, str(cwd), *extra) for _ in range(max(args.repeats, 7))]
        median = statistics.median(values)
        figures.append(
            Figure(label, spread(values, "s", 2), f"<= {STARTUP_GOAL_S} s", bytecode, "ok" if median <= STARTUP_GOAL_S else "MISSED")
        )  # fmt: skip
    cpu = [startup_cpu(sys.executable, str(cwd)) * 1000 for _ in range(max(args.repeats, 7))]
    figures.append(Figure("CPU to first run, --skip-warmup", spread(cpu, "ms", 0), "-", "-", "-"))
    return figures


def caching_figures(repeats: int) -> dict[str, list[float]]:
    """``benchmarks/caching.py``'s figures: lists under ``uncached_usd``, ``cached_usd``,
    ``uncached_tokens`` and ``cached_tokens`` (billed input-token equivalents) of the 40-turn
    scripted run, and ``same_result`` (1.0 when both runs ended alike)."""
    from caching import summary_figures

    return summary_figures(repeats)


def caching(args: argparse.Namespace, root: Path) -> list[Figure]:
    del root
    got = caching_figures(args.repeats)
    ratios = [u / c for u, c in zip(got["uncached_usd"], got["cached_usd"], strict=True) if c > 0]
    same = all(v == 1.0 for v in got["same_result"])
    return [
        Figure(
            "cost of a 40-turn run, with caching",
            spread(got["cached_usd"], "$", 4),
            f">= {CACHING_GOAL}x cheaper, same result",
            f"without caching {spread(got['uncached_usd'], '$', 4)}",
            f"{statistics.median(ratios):.2f}x cheaper{'' if same else ', RESULT DIFFERS'} "
            + ("ok" if same and statistics.median(ratios) >= CACHING_GOAL else "MISSED"),
        ),
        Figure(
            "billed input tokens, with caching",
            spread(got["cached_tokens"], "tok", 0),
            "-",
            f"without caching {spread(got['uncached_tokens'], 'tok', 0)}",
            "-",
        ),
    ]


def validation(args: argparse.Namespace, root: Path) -> list[Figure]:
    from validation_time import measure_validation

    del root
    cases: list[tuple[str, str, str, Path | None, str]] = [
        ("realworld", "realworld", args.realworld_scenario, None, "warm")
    ]
    compat = args.compat_dir / "suites"
    if compat.is_dir() and shutil.which("pnpm"):
        for stores in ("cold", "warm"):
            cases.append((f"update-deps, {stores} stores", "update-deps", "nx-pnpm-monorepo", compat, stores))
    figures = []
    for label, suite, scenario, suites_dir, stores in cases:
        times = measure_validation(suite, scenario, args.repeats, suites_dir=suites_dir, stores=stores)
        install = (
            f"; install {spread(times.zebench_install_s, 's', 2)} vs {spread(times.bare_install_s, 's', 2)}"
            if times.zebench_install_s
            else ""
        )
        figures.append(
            Figure(
                f"validation wall, {label} ({scenario})",
                spread(times.zebench_s, "s", 2) + install,
                f"<= {VALIDATION_GOAL}x bare",
                f"bare commands {spread(times.bare_s, 's', 2)}",
                _verdict(statistics.median(times.ratios), VALIDATION_GOAL),
            )
        )
        figures.append(
            Figure(
                f"validation CPU, {label}",
                spread(times.zebench_cpu_s, "s", 2),
                "-",
                f"bare commands {spread(times.bare_cpu_s, 's', 2)}",
                "-",
            )
        )
    if len(cases) == 1:
        figures.append(Figure("validation, update-deps", "not measured", "-", f"no {compat} or no pnpm", "-"))
    return figures


def ingest(args: argparse.Namespace, root: Path) -> list[Figure]:
    from api import make_run
    from ingest_bench import measure_ingest, realistic

    from zebench.store import open_store

    bulk_rates, single_rates = [], []
    for rep in range(args.repeats):
        db = root / f"ingest-{rep}.db"
        open_store(f"sqlite:///{db}").close()
        rng = random.Random(7 + rep)
        runs = [realistic(make_run(i, rng, 50), rng) for i in range(2000)]
        single, bulk = measure_ingest("SQLite", f"sqlite:///{db}", runs, 100)
        bulk_rates.append(bulk.rate)
        single_rates.append(single.rate)
    median = statistics.median(bulk_rates)
    return [
        Figure(
            "ingest, POST /api/results:batch, SQLite",
            spread(bulk_rates, "runs/s", 0),
            f">= {INGEST_GOAL:.0f} runs/s",
            f"single POST {spread(single_rates, 'runs/s', 0)}",
            "ok" if median >= INGEST_GOAL else "MISSED",
        )
    ]


def dask(args: argparse.Namespace, root: Path) -> list[Figure]:
    from parallel import fake_server, measure_dask, script
    from parallel import make_suite as make_llm_suite

    suites = make_llm_suite(root / "llm-suites")
    speedups, ones, twos = [], [], []
    with fake_server(script(40 * 12 * args.repeats), root) as base_url:
        for rep in range(args.repeats):
            folder = root / f"dask-{rep}"
            folder.mkdir()
            walls = measure_dask(40, folder, base_url, suites)
            speedups.append(walls[1] / walls[2])
            ones.append(walls[1])
            twos.append(walls[2])
    return [
        Figure(
            "Dask: 2 workers vs 1 (40 LLM runs)",
            spread(speedups, "x", 2),
            f">= {DASK_GOAL}x",
            f"1 worker {spread(ones, 's')}, 2 workers {spread(twos, 's')}",
            _verdict(statistics.median(speedups), DASK_GOAL, at_most=False),
        )
    ]


MEASURE: dict[str, Callable[[argparse.Namespace, Path], list[Figure]]] = {
    "overhead": overhead,
    "saturation": saturation,
    "startup": start_up,
    "caching": caching,
    "validation": validation,
    "ingest": ingest,
    "dask": dask,
}


def print_table(figures: list[Figure], load: str, file: TextIO = sys.stdout) -> None:
    print(
        f"\nzebench performance summary ({os.cpu_count()} cores, load average {load}); median [min–max]",
        file=file,
    )
    widths = [max(len(getattr(f, col)) for f in figures) for col in ("name", "value", "goal", "peer")]
    head = ("figure", "zebench", "goal", "peer, same run")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + "  verdict", file=file)
    for f in figures:
        cells = (f.name, f.value, f.goal, f.peer)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + f"  {f.verdict}", file=file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="repetitions behind every median")
    parser.add_argument("--runs", type=int, default=100, help="N of the quiet per-run slopes")
    parser.add_argument("--saturated-runs", type=int, default=40, help="N of the per-run slopes under load")
    parser.add_argument("--inspect-python", type=Path, default=Path("/tmp/inspect-venv/bin/python"))
    parser.add_argument("--tiktoken-cache", type=Path, default=Path("/tmp/tiktoken_cache"))
    parser.add_argument("--compat-dir", type=Path, default=Path("/work/shared/compat/ze-benchmarks"))
    parser.add_argument("--realworld-scenario", default="toolz-interpose-empty")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, help="sections to leave out")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="no price known")
    root = Path(tempfile.mkdtemp(prefix="zebench-summary-"))
    load_before = os.getloadavg()
    figures: list[Figure] = []
    try:
        for section in SECTIONS:
            if section in args.skip:
                continue
            folder = root / section
            folder.mkdir()
            try:
                got = MEASURE[section](args, folder)
            except FigureUnavailable as exc:
                got = [Figure(section, "NOT MEASURED", "-", str(exc), "MISSING")]
            except Exception as exc:  # one section's failure must not lose the others' figures
                got = [Figure(section, "FAILED", "-", f"{type(exc).__name__}: {exc}"[:300], "ERROR")]
            figures += got
            print(f"[{section} done]", file=sys.stderr, flush=True)
            print_table(got, "so far", file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    load = " ".join(f"{a:.2f}" for a in load_before) + " -> " + " ".join(f"{a:.2f}" for a in os.getloadavg())
    print_table(figures, load)


if __name__ == "__main__":
    main()
