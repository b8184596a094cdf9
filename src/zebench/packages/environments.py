"""Cached tool environments for a scenario's commands: a virtualenv of Python pins, a node_modules.

Built once per set of pins (and interpreter), then only read: commands see the environment
read-only, first on PATH, so a scenario gets exactly the pytest (or tape) its tests were written
for without installing anything per run, and without the network after ``zebench fetch``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from zebench.errors import ZebenchError
from zebench.packages.cache import CACHE_VERSION, cache_path, exclusive
from zebench.packages.tools import run_tool
from zebench.scenarios.model import Scenario, ScenarioEnvironment
from zebench.steps import NO_STEPS, StepReporter

INSTALL_TIMEOUT_S = 1800.0
READY = ".zebench-ready"  # written last: an environment without it is half-built and rebuilt
FREEZE = "zebench-freeze.txt"  # what pip resolved, for people comparing runs


@dataclass(frozen=True)
class Runtime:
    """What a scenario's commands need from its environment, for a command runner."""

    path_prefix: tuple[str, ...] = ()  # folders put first on PATH
    env: dict[str, str] = field(default_factory=dict)  # e.g. VIRTUAL_ENV, NODE_PATH
    read_only: tuple[str, ...] = ()  # folders a sandbox must show (read-only)


def _key(kind: str, parts: list[str]) -> str:
    payload = json.dumps([CACHE_VERSION, kind, *parts])
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


@functools.cache  # per process: every run of an npm-environment scenario asks
def _node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "none"
    proc = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()


def _run(argv: list[str], what: str, folder: Path) -> None:
    problem = run_tool(argv, INSTALL_TIMEOUT_S)
    if problem is not None:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half-built environment
        raise ZebenchError(
            f"cannot install {what}: {problem}",
            field="environment",
            hint="check the pins; without the network, run `zebench fetch SUITE` where the registry can be reached",
        )


def python_environment(pins: list[str], steps: StepReporter = NO_STEPS) -> Path:
    """A virtualenv holding exactly ``pins`` (and what they need), for this interpreter; its
    build (not a cache hit) is reported to ``steps``."""
    interpreter = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    folder = cache_path("envs") / f"python-{_key('python', [sys.version, interpreter, *sorted(pins)])}"
    if (folder / READY).is_file():  # written last, so a ready environment needs no lock
        return folder
    with exclusive(folder.with_name(folder.name + ".lock")):
        if (folder / READY).is_file():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        what = f"the Python tools {', '.join(pins)}"
        with steps.step(f"create a virtualenv for {', '.join(pins)}"):
            _run([sys.executable, "-m", "venv", str(folder)], what, folder)
        python = str(folder / "bin" / "python")
        with steps.step(f"pip install {' '.join(pins)}"):
            argv = [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", *pins]
            _run(argv, what, folder)
        freeze = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=False)
        (folder / FREEZE).write_text(freeze.stdout)
        (folder / READY).write_text(json.dumps({"pins": pins, "python": sys.version}))
    return folder


def node_environment(pins: list[str], steps: StepReporter = NO_STEPS) -> Path:
    """A folder whose ``node_modules`` holds exactly ``pins``; install scripts are not run. The
    install (not a cache hit) is reported to ``steps``."""
    folder = cache_path("envs") / f"npm-{_key('npm', [_node_version(), *sorted(pins)])}"
    if (folder / READY).is_file():  # written last, so a ready environment needs no lock
        return folder
    with exclusive(folder.with_name(folder.name + ".lock")):
        if (folder / READY).is_file():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        npm = shutil.which("npm")
        if npm is None:
            raise ZebenchError(
                "the scenario's environment needs npm, which is not installed",
                field="environment.npm",
                hint="install Node.js and npm",
            )
        argv = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--ignore-scripts", *pins]
        with steps.step(f"npm install {' '.join(pins)}"):
            _run(argv, f"the npm tools {', '.join(pins)}", folder)
        (folder / READY).write_text(json.dumps({"pins": pins, "node": _node_version()}))
    return folder


def prepare_environment(spec: ScenarioEnvironment, steps: StepReporter = NO_STEPS) -> Runtime:
    """Build (or find in the cache) the environments of ``spec``; the runtime commands use."""
    prefix: list[str] = []
    env: dict[str, str] = {}
    read_only: list[str] = []
    if spec.python:
        venv = python_environment(spec.python, steps)
        prefix.append(str(venv / "bin"))
        env["VIRTUAL_ENV"] = str(venv)
        read_only.append(str(venv))
    if spec.npm:
        node = node_environment(spec.npm, steps)
        prefix.append(str(node / "node_modules" / ".bin"))
        env["NODE_PATH"] = str(node / "node_modules")
        read_only.append(str(node))
    return Runtime(tuple(prefix), env, tuple(read_only))


def scenario_runtime(scenario: Scenario, steps: StepReporter = NO_STEPS) -> Runtime:
    """The runtime of ``scenario``'s commands: empty unless it declares an ``environment:``."""
    if scenario.environment is None or scenario.environment.empty:
        return Runtime()
    return prepare_environment(scenario.environment, steps)
