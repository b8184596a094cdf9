"""A run's validation wall time against the bare validation commands on the same tree.

For a real scenario, each repetition runs ``zebench bench SUITE SCENARIO --agent echo`` (one run,
bubblewrap, validation as users get it) and then the same validation commands bare: a plain
``subprocess.run(command, shell=True)`` in a fresh copy of that run's kept workspace (its
``__pycache__`` and test caches removed, so neither side starts warm), with the environment
zebench's unsandboxed runner gives the scenario (its tool environment first on PATH). zebench's
figure is the sum of its validation commands' durations as the run recorded them (each from
before its sandbox starts to after it is gone). Goal: ≤ 1.1 × the bare commands.

``--install-cold``: before each repetition, empty the package stores the install command uses
(pnpm's, npm's and pip's caches under zebench's cache folder and the user's), so the install is
cold; without it, the stores are left warm by the previous repetition (one untimed run first).

    python benchmarks/validation_time.py realworld toolz-interpose-empty [--repeats 5]
    python benchmarks/validation_time.py update-deps nx-pnpm-monorepo --suites-dir DIR [--install-cold]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

GOAL = 1.1
_CACHES = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache")


@dataclass
class ValidationTimes:
    """Per repetition: zebench's validation wall time and the bare commands', in seconds, and
    each side's install command alone (the first command of kind ``install``, when there is one)."""

    scenario: str
    zebench_s: list[float] = field(default_factory=list)
    bare_s: list[float] = field(default_factory=list)
    zebench_install_s: list[float] = field(default_factory=list)
    bare_install_s: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [z / b for z, b in zip(self.zebench_s, self.bare_s, strict=True) if b > 0]


def _zebench_run(suite: str, scenario: str, work: Path, suites_dir: Path | None) -> dict:
    argv = [sys.executable, "-m", "zebench", "bench", suite, scenario, "--agent", "echo", "--skip-warmup",
            "--keep-workspace", "--json", "--db", f"sqlite:///{work / 'v.db'}",
            "--workspace-root", str(work / "ws")]  # fmt: skip
    if suites_dir is not None:
        argv += ["--suites-dir", str(suites_dir)]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=work)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise SystemExit(f"zebench bench failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    run = json.loads(proc.stdout)
    if run["status"] != "completed":
        raise SystemExit(f"the run did not complete: {run['status']} {run['reason']}")
    return run


def _pristine_copy(workspace: Path, dest: Path) -> Path:
    shutil.copytree(workspace, dest, symlinks=True, ignore=shutil.ignore_patterns(*_CACHES))
    return dest


def _bare_environment(suite: str, scenario_id: str, cwd: Path, suites_dir: Path | None) -> dict[str, str]:
    from zebench.sandbox import create_runner
    from zebench.scenarios import load_scenario

    scenario = load_scenario(suite, scenario_id, suites_dir)
    return create_runner("none", scenario).environment(cwd)


def _bare(commands: list[dict], cwd: Path, env: dict[str, str]) -> tuple[float, float | None]:
    """(all commands, the install command) wall seconds, each command run as the run ran it."""
    total, install = 0.0, None
    for command in commands:
        started = time.perf_counter()
        subprocess.run(command["command"], shell=True, cwd=cwd, env=env, capture_output=True)
        elapsed = time.perf_counter() - started
        total += elapsed
        if command["kind"] == "install" and install is None:
            install = elapsed
    return total, install


def empty_package_stores() -> list[Path]:
    """Remove the pnpm, npm and pip caches an install would reuse; returns what was removed."""
    from zebench.packages import cache_dir

    home = Path.home()
    candidates = [
        cache_dir() / "stores",
        home / ".cache" / "pip",
        home / ".npm" / "_cacache",
        home / ".local" / "share" / "pnpm" / "store",
        home / ".cache" / "pnpm",
    ]
    removed = [path for path in candidates if path.exists()]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def measure_validation(
    suite: str, scenario: str, repeats: int, *, suites_dir: Path | None = None, cold: bool = False
) -> ValidationTimes:
    """``repeats`` interleaved pairs of (zebench's validation, the bare commands) on one scenario."""
    times = ValidationTimes(f"{suite}/{scenario}")
    work = Path(tempfile.mkdtemp(prefix="zebench-validation-"))
    try:
        if not cold:
            _zebench_run(suite, scenario, work, suites_dir)  # untimed: warms the stores and page cache
        for rep in range(repeats):
            if cold:
                empty_package_stores()
            run = _zebench_run(suite, scenario, work, suites_dir)
            commands = run["validation"]
            times.zebench_s.append(sum(c["duration_ms"] for c in commands) / 1000)
            installs = [c["duration_ms"] / 1000 for c in commands if c["kind"] == "install"]
            if installs:
                times.zebench_install_s.append(installs[0])
            tree = _pristine_copy(Path(run["telemetry"]["workspace_dir"]), work / f"bare-{rep}")
            if cold:
                empty_package_stores()
            env = _bare_environment(suite, scenario, tree, suites_dir)
            total, install = _bare(commands, tree, env)
            times.bare_s.append(total)
            if install is not None:
                times.bare_install_s.append(install)
            shutil.rmtree(tree, ignore_errors=True)
            shutil.rmtree(run["telemetry"]["workspace_dir"], ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def _spread(values: list[float], unit: str = "s") -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}] {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("scenario")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--suites-dir", type=Path, default=None)
    parser.add_argument("--install-cold", action="store_true")
    args = parser.parse_args()
    times = measure_validation(
        args.suite, args.scenario, args.repeats, suites_dir=args.suites_dir, cold=args.install_cold
    )
    ratio = statistics.median(times.ratios)
    print(
        f"{times.scenario} ({'cold' if args.install_cold else 'warm'} stores), median [min–max] of {args.repeats}"
    )
    print(f"  validation: zebench {_spread(times.zebench_s)}, bare {_spread(times.bare_s)}, ratio "
          f"{_spread(times.ratios, 'x')}  goal <= {GOAL}x {'ok' if ratio <= GOAL else 'MISSED'}")  # fmt: skip
    if times.zebench_install_s:
        print(
            f"  install:    zebench {_spread(times.zebench_install_s)}, bare {_spread(times.bare_install_s)}"
        )


if __name__ == "__main__":
    main()
