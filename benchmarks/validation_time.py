"""A run's validation time against the bare validation commands on the same tree.

For a real scenario, each repetition prepares the tree a run validates (a fresh workspace of the
fixture with the hidden tests copied in) twice, then times, on one, the validation phase as
``run_one`` runs it (the bubblewrap runner of ``--sandbox auto``, told the phase's command count,
then ``run_validation``) and, on the other, the same commands bare: ``subprocess.run(command,
shell=True)`` with the environment zebench's unsandboxed runner gives the scenario (its tool
environment first on PATH). Both wall time and CPU time (user + system of this process and
every process it starts, from a cgroup it moves itself into: ``cpu_meter.OwnGroup``) are taken;
the order of the two alternates. Goal: wall ≤ 1.1 × bare.

Package stores (``zebench.sandbox.stores``): ``warm`` first runs the batch's control (the warmup,
untimed), which fills the scenario's shared stores, so each timed run's sandbox starts from a copy
of them, and the bare side uses stores a first untimed install filled; ``cold`` empties both
before every repetition.

    python benchmarks/validation_time.py realworld toolz-interpose-empty [--repeats 5]
    python benchmarks/validation_time.py update-deps nx-pnpm-monorepo --suites-dir DIR [--stores cold|warm]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cpu_meter import OwnGroup

from zebench.commands.runner import runner_hook
from zebench.results.models import CommandResult
from zebench.runner.warmup import run_warmup
from zebench.sandbox import create_runner
from zebench.sandbox.stores import PackageStores
from zebench.scenarios import load_scenario
from zebench.scenarios.model import Scenario
from zebench.validation import run_validation
from zebench.workspace import copy_hidden_tests, prepare_workspace

GOAL = 1.1


@dataclass
class ValidationTimes:
    """Per repetition, in seconds: each side's wall and CPU time, and its install command's wall."""

    scenario: str
    stores: str
    zebench_s: list[float] = field(default_factory=list)
    bare_s: list[float] = field(default_factory=list)
    zebench_cpu_s: list[float] = field(default_factory=list)
    bare_cpu_s: list[float] = field(default_factory=list)
    zebench_install_s: list[float] = field(default_factory=list)
    bare_install_s: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [z / b for z, b in zip(self.zebench_s, self.bare_s, strict=True) if b > 0]


def _timed(
    action: Callable[[], list[CommandResult]], group: OwnGroup
) -> tuple[float, float, list[CommandResult]]:
    cpu, started = group.cpu(), time.perf_counter()
    results = action()
    wall = time.perf_counter() - started
    return wall, group.cpu() - cpu, results


def _zebench(scenario: Scenario, tree: Path) -> list[CommandResult]:
    """The validation phase as a run has it: the phase's sandbox prepared, then its commands."""
    runner = create_runner("auto", scenario)
    runner_hook(runner, "prepare_next", tree, commands=len(scenario.validation))
    runner_hook(runner, "next_phase")
    try:
        return run_validation(scenario, tree, runner)
    finally:
        runner_hook(runner, "close", wait=True)  # its processes reaped, so their CPU is counted


def _bare(scenario: Scenario, tree: Path, stores: Path) -> list[CommandResult]:
    env = create_runner("none", scenario).environment(tree)
    env.update(
        npm_config_store_dir=str(stores / "pnpm"),
        npm_config_cache=str(stores / "npm"),
        PIP_CACHE_DIR=str(stores / "pip"),
    )
    results = []
    for command in scenario.validation:
        started = time.perf_counter()
        proc = subprocess.run(command.command, shell=True, cwd=tree, env=env, capture_output=True)
        results.append(
            CommandResult(
                name=command.name,
                kind=command.kind,
                command=command.command,
                exit_code=proc.returncode,
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
        )
    return results


def _tree(scenario: Scenario, root: Path) -> Path:
    workspace = prepare_workspace(scenario, root)
    copy_hidden_tests(scenario, workspace.path)
    return workspace.path


def _install_s(results: list[CommandResult]) -> float | None:
    installs = [r.duration_ms / 1000 for r in results if r.kind == "install"]
    return installs[0] if installs else None


def measure_validation(
    suite: str, scenario_id: str, repeats: int, *, suites_dir: Path | None = None, stores: str = "warm"
) -> ValidationTimes:
    """``repeats`` pairs of (zebench's validation phase, the bare commands) on fresh trees."""
    scenario = load_scenario(suite, scenario_id, suites_dir)
    times = ValidationTimes(f"{suite}/{scenario_id}", stores)
    work = Path(tempfile.mkdtemp(prefix="zebench-validation-"))
    warm_stores = work / "stores"
    try:
        with OwnGroup() as group:
            # Untimed: the control fills zebench's stores, the first bare install the bare side's.
            run_warmup(scenario, work / "ws", create_runner("auto", scenario))
            _bare(scenario, _tree(scenario, work / "ws"), warm_stores)
            shared = PackageStores.for_scenario(scenario.suite, scenario.id).shared
            for rep in range(repeats):
                bare_stores = warm_stores if stores == "warm" else work / f"cold-{rep}"
                if stores == "cold":
                    shutil.rmtree(shared, ignore_errors=True)
                sides: list[tuple[str, Callable[[Path], list[CommandResult]]]] = [
                    ("zebench", lambda tree: _zebench(scenario, tree)),
                    ("bare", lambda tree, s=bare_stores: _bare(scenario, tree, s)),  # type: ignore[misc]
                ]
                for name, action in sides if rep % 2 == 0 else sides[::-1]:
                    tree = _tree(scenario, work / "ws")
                    wall, cpu, results = _timed(lambda a=action, t=tree: a(t), group)  # type: ignore[misc]
                    getattr(times, f"{name}_s").append(wall)
                    getattr(times, f"{name}_cpu_s").append(cpu)
                    install = _install_s(results)
                    if install is not None:
                        getattr(times, f"{name}_install_s").append(install)
                    shutil.rmtree(tree, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


def spread(values: list[float], unit: str = "s") -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}] {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("scenario")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--suites-dir", type=Path, default=None)
    parser.add_argument(
        "--stores", choices=("cold", "warm"), default="warm", help="package stores, both sides"
    )
    args = parser.parse_args()
    t = measure_validation(
        args.suite, args.scenario, args.repeats, suites_dir=args.suites_dir, stores=args.stores
    )
    ratio = statistics.median(t.ratios)
    print(f"{t.scenario} ({t.stores} package stores), median [min–max] of {args.repeats}")
    print(f"  wall:    zebench {spread(t.zebench_s)}  bare {spread(t.bare_s)}  ratio {spread(t.ratios, 'x')}"
          f"  goal <= {GOAL}x {'ok' if ratio <= GOAL else 'MISSED'}")  # fmt: skip
    print(f"  CPU:     zebench {spread(t.zebench_cpu_s)}  bare {spread(t.bare_cpu_s)}")
    if t.zebench_install_s:
        print(f"  install: zebench {spread(t.zebench_install_s)}  bare {spread(t.bare_install_s)}")


if __name__ == "__main__":
    main()
