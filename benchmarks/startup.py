"""Start-up time of ``zebench bench``: launch to the first run starting, against the 0.5 s goal.

Start-up is the wall time from launching ``python -m zebench bench examples fix-failing-tests
--agent echo --json`` to the ``started_at`` stamped on the run record when ``run_one`` begins.
It is measured with ``--skip-warmup`` and with the default warmup (the validation commands run once
on a pristine copy before the first run: what users get), plus the wall time of
``zebench --version`` and the CPU time (user + system, the process and its children) spent
before the first run starts, which the machine's load inflates far less than wall time. Each figure is the median of N fresh processes, run in a scratch folder
whose database was created by one untimed run first (so migrations are not counted; the first
run's own start-up, which creates the database, is printed for reference).

Whether zebench's own modules load from cached bytecode matters (~0.1 s): with
``PYTHONDONTWRITEBYTECODE`` set and an editable install, every start compiles them from source,
which an installed wheel never does. The script says which case it measured;
``python -m compileall -q src/zebench`` gives the installed case in a checkout.

    python benchmarks/startup.py [--runs 7] [--python PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_S = 0.5
BENCH = ["-m", "zebench", "bench", "examples", "fix-failing-tests", "--agent", "echo", "--json"]


def startup(python: str, cwd: str, *extra: str) -> float:
    """Seconds from launching one ``zebench bench`` to its first run's ``started_at``."""
    started = time.time()
    out = subprocess.run([python, *BENCH, *extra], capture_output=True, text=True, cwd=cwd)
    if not out.stdout.strip():
        raise SystemExit(f"zebench bench printed nothing (exit {out.returncode}):\n{out.stderr}")
    run = json.loads(out.stdout)
    run = run[0] if isinstance(run, list) else run
    return datetime.datetime.fromisoformat(run["started_at"]).timestamp() - started


# Runs the CLI and writes its CPU time (self + waited-for children) to descriptor CPU_FD the moment
# the first run starts: the runner's run_one is wrapped as soon as its module has been imported.
_CPU_HOOK = r"""
import os, resource, sys
def _cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
_done = []
def _audit(event, args):
    if _done or event != "import":
        return
    executors = sys.modules.get("zebench.runner.executors")
    if executors is None or not hasattr(executors, "run_one"):
        return
    _done.append(1)
    first = executors.run_one
    def run_one(*a, **k):
        os.write(int(os.environ["CPU_FD"]), f"{_cpu():.4f}".encode())
        return first(*a, **k)
    executors.run_one = run_one
sys.addaudithook(_audit)
sys.argv = ["zebench", *sys.argv[1:]]
from zebench.cli.entry import main
main()
"""


def startup_cpu(python: str, cwd: str, *extra: str) -> float:
    """CPU seconds one ``zebench bench --skip-warmup`` spends before its first run starts."""
    read, write = os.pipe()
    try:
        subprocess.run(
            [python, "-c", _CPU_HOOK, *BENCH[2:], "--skip-warmup", *extra],
            capture_output=True,
            cwd=cwd,
            env={**os.environ, "CPU_FD": str(write)},
            pass_fds=(write,),
        )
        os.close(write)
        write = -1
        data = os.read(read, 64)
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)
    if not data:
        raise SystemExit("the CPU hook saw no run start")
    return float(data)


def version_wall(python: str, cwd: str) -> float:
    """Wall seconds of one ``zebench --version``."""
    started = time.perf_counter()
    subprocess.run([python, "-m", "zebench", "--version"], capture_output=True, check=True, cwd=cwd)
    return time.perf_counter() - started


# Printed by the measured interpreter: whether zebench's modules have cached bytecode to load.
_BYTECODE_PROBE = (
    "import importlib.util, os, zebench.cli.app as m; "
    "print(os.path.exists(importlib.util.cache_from_source(m.__file__)))"
)


def bytecode_state(python: str) -> str:
    """A line saying whether zebench's modules load from cached bytecode or are compiled each start."""
    out = subprocess.run([python, "-c", _BYTECODE_PROBE], capture_output=True, text=True, check=True)
    if out.stdout.strip() == "True":
        return "zebench's modules load from cached bytecode (as an installed wheel's do)"
    return "zebench's modules are compiled from source at every start (no __pycache__ beside them)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per figure (median)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with zebench installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zebench-startup-") as cwd:
        first = startup(args.python, cwd, "--skip-warmup")  # creates and migrates results/zebench.db
        rows = [
            ("bench --skip-warmup", [startup(args.python, cwd, "--skip-warmup") for _ in range(args.runs)]),
            ("bench (default warmup)", [startup(args.python, cwd) for _ in range(args.runs)]),
            ("--version (wall)", [version_wall(args.python, cwd) for _ in range(args.runs)]),
        ]
        cpu = [startup_cpu(args.python, cwd) for _ in range(args.runs)]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"start-up, median of {args.runs} processes; load average {load}; {os.cpu_count()} cores")
    print(bytecode_state(args.python))
    print(f"{'':<24} {'median':>8} {'min':>8} {'max':>8}   goal")
    for label, values in rows:
        median = statistics.median(values)
        verdict = "ok" if median <= GOAL_S else "OVER"
        print(
            f"{label:<24} {median:7.3f}s {min(values):7.3f}s {max(values):7.3f}s"
            f"   <= {GOAL_S:.1f} s {verdict}"
        )
    print(
        f"{'CPU to first run':<24} {statistics.median(cpu):7.3f}s {min(cpu):7.3f}s {max(cpu):7.3f}s   (skip-warmup)"
    )
    print(f"{'first run (creates db)':<24} {first:7.3f}s   (once, not a median)")


if __name__ == "__main__":
    main()
