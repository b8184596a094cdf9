"""Everything a scenario needs from outside before its runs: its package fixture and environment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from zebench.packages.environments import Runtime, scenario_runtime
from zebench.packages.fixtures import materialize_fixture
from zebench.scenarios.model import Scenario
from zebench.steps import NO_STEPS, StepReporter


@dataclass(frozen=True)
class PreparedScenario:
    """What :func:`prepare_scenario` made ready, and how long it took (0 s: all from the cache)."""

    scenario: str
    fixture: Path | None
    runtime: Runtime
    seconds: float


def needs_preparing(scenario: Scenario) -> bool:
    """Whether the scenario has a package fixture or an environment to fetch or build."""
    has_environment = scenario.environment is not None and not scenario.environment.empty
    return scenario.package_fixture is not None or has_environment


def prepare_scenario(scenario: Scenario, steps: StepReporter = NO_STEPS) -> PreparedScenario:
    """Download, verify, unpack and build what ``scenario`` needs; cached, so cheap the second time.

    Each download, unpacking and environment build is reported to ``steps`` as it starts (a cache
    hit is not). Raises :class:`~zebench.errors.ZebenchError` with one line (which package, why,
    the cache path) when something cannot be fetched, e.g. without the network and with an empty
    cache.
    """
    started = time.monotonic()
    fixture = materialize_fixture(scenario.package_fixture, steps) if scenario.package_fixture else None
    runtime = scenario_runtime(scenario, steps)
    return PreparedScenario(scenario.key, fixture, runtime, time.monotonic() - started)
