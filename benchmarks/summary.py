"""Every performance figure in one table, each beside its goal and the peer figure from the same run.

Runs, in this order and on this machine: the per-run overhead of zebench (sandboxed and not) and
of Inspect AI on the same work (``overhead.py``), zebench's start-up (``startup.py``), ingest
through the single and the bulk endpoint on SQLite (``ingest_bench.py``), and a batch on one and on
two Dask workers (``parallel.py``). Figures vary with the machine's load, which is printed; the
scripts named above give more detail on each.

    python benchmarks/summary.py [--runs 200] [--inspect-python /tmp/inspect-venv/bin/python]
                                 [--tiktoken-cache /tmp/tiktoken_cache] [--skip-dask]

Inspect AI lives in a throwaway venv (see overhead.py); without it its column is empty.
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
from dataclasses import dataclass
from pathlib import Path

from api import make_run
from ingest_bench import measure_ingest, realistic
from overhead import INSPECT_TASK, inspect_time, make_suite, zebench_time
from parallel import fake_server, measure_dask, script
from parallel import make_suite as make_llm_suite
from startup import startup

from zebench.store import open_store


@dataclass
class Figure:
    name: str
    value: str
    goal: str
    peer: str
    verdict: str


def _per_run(t1: float, tn: float, n: int) -> float:
    return (tn - t1) / (n - 1) * 1000


def overhead(args: argparse.Namespace, root: Path) -> list[Figure]:
    make_suite(root / "suites")
    (root / "overhead_task.py").write_text(INSPECT_TASK)
    has_inspect = args.inspect_python.exists() and any(args.tiktoken_cache.glob("*"))
    zebench_time(root, 1)  # untimed warm-ups: page cache and bytecode, not the harness
    zebench_time(root, 1, "auto")
    timings = {
        "none": (zebench_time(root, 1), zebench_time(root, args.runs)),
        "bwrap": (zebench_time(root, 1, "auto"), zebench_time(root, args.runs, "auto")),
    }
    if has_inspect:
        inspect_time(root, 1, args.inspect_python, args.tiktoken_cache)
        timings["inspect"] = (
            inspect_time(root, 1, args.inspect_python, args.tiktoken_cache),
            inspect_time(root, args.runs, args.inspect_python, args.tiktoken_cache),
        )
    per = {k: _per_run(t1, tn, args.runs) for k, (t1, tn) in timings.items()}
    peer = f"Inspect AI {per['inspect']:.1f} ms" if "inspect" in per else "Inspect AI not measured"
    ratio = per["bwrap"] / per["inspect"] if "inspect" in per else None
    figures = [
        Figure(
            "per-run overhead, bubblewrap sandbox",
            f"{per['bwrap']:.1f} ms",
            "<= 1.0x Inspect (unsandboxed)",
            peer,
            f"{ratio:.2f}x {'ok' if ratio <= 1.0 else 'MISSED'}" if ratio is not None else "-",
        ),
        Figure(
            "per-run overhead, --sandbox none",
            f"{per['none']:.1f} ms",
            "-",
            peer,
            f"{per['none'] / per['inspect']:.2f}x" if "inspect" in per else "-",
        ),
        Figure(
            "one run end to end, t(1)",
            f"{timings['bwrap'][0]:.2f} s",
            "-",
            f"Inspect AI {timings['inspect'][0]:.2f} s" if "inspect" in timings else "-",
            "-",
        ),
    ]
    return figures


def start_up(args: argparse.Namespace, root: Path) -> list[Figure]:
    cwd = root / "startup"
    cwd.mkdir()
    startup(sys.executable, str(cwd), "--skip-warmup")  # creates and migrates the database
    figures = []
    for label, extra in (
        ("start-up to first run, default warmup", ()),
        ("start-up, --skip-warmup", ("--skip-warmup",)),
    ):
        value = statistics.median(startup(sys.executable, str(cwd), *extra) for _ in range(7))
        figures.append(Figure(label, f"{value:.2f} s", "<= 1.0 s", "-", "ok" if value <= 1.0 else "MISSED"))
    return figures


def ingest(args: argparse.Namespace, root: Path) -> list[Figure]:
    db = root / "ingest.db"
    open_store(f"sqlite:///{db}").close()
    rng = random.Random(7)
    runs = [realistic(make_run(i, rng, 50), rng) for i in range(2000)]
    single, bulk = measure_ingest("SQLite", f"sqlite:///{db}", runs, 100)
    return [
        Figure(
            "ingest, POST /api/results:batch, SQLite",
            f"{bulk.rate:.0f} runs/s",
            ">= 500 runs/s",
            f"single POST {single.rate:.0f} runs/s",
            "ok" if bulk.rate >= 500 else "MISSED",
        )
    ]


def dask(args: argparse.Namespace, root: Path) -> list[Figure]:
    suites = make_llm_suite(root / "llm-suites")
    with fake_server(script(40 * 12), root) as base_url:
        walls = measure_dask(40, root, base_url, suites)
    speedup = walls[1] / walls[2]
    return [
        Figure(
            "Dask: 2 workers vs 1 (40 LLM runs)",
            f"{speedup:.2f}x",
            ">= 1.8x",
            f"1 worker {walls[1]:.1f} s, 2 workers {walls[2]:.1f} s",
            "ok" if speedup >= 1.8 else "MISSED",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per overhead measurement")
    parser.add_argument("--inspect-python", type=Path, default=Path("/tmp/inspect-venv/bin/python"))
    parser.add_argument("--tiktoken-cache", type=Path, default=Path("/tmp/tiktoken_cache"))
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="no price known")
    root = Path(tempfile.mkdtemp(prefix="zebench-summary-"))
    load_before = os.getloadavg()
    try:
        figures = overhead(args, root) + start_up(args, root) + ingest(args, root)
        if not args.skip_dask:
            figures += dask(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    load = " ".join(f"{a:.2f}" for a in load_before) + " -> " + " ".join(f"{a:.2f}" for a in os.getloadavg())
    print(f"\nzebench performance summary ({os.cpu_count()} cores, load average {load})")
    widths = [max(len(getattr(f, col)) for f in figures) for col in ("name", "value", "goal", "peer")]
    head = ("figure", "zebench", "goal", "peer, same run")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + "  verdict")
    for f in figures:
        cells = (f.name, f.value, f.goal, f.peer)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + f"  {f.verdict}")


if __name__ == "__main__":
    main()
