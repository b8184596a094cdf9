"""Isolation for the commands agents and scenarios run: bubblewrap, resource limits, secret scrubbing.

``create_runner(mode, scenario)`` is the one entry point: ``"bwrap"`` insists on the sandbox,
``"none"`` runs on the host with the scrubbed environment only, and ``"auto"`` (the default) uses
bubblewrap wherever it works and otherwise falls back to ``"none"`` with a single warning per process.
See docs/security.md for what each mode does and does not protect.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Literal

from zebench.commands.runner import CommandRunner, LocalCommandRunner
from zebench.errors import ZebenchError
from zebench.packages import scenario_runtime
from zebench.sandbox.bwrap import SandboxLayout, bwrap_argv
from zebench.sandbox.detect import ProbeResult, probe_bwrap
from zebench.sandbox.limits import Limits
from zebench.sandbox.runner import BwrapCommandRunner
from zebench.sandbox.secrets import collect_secret_values, scrub_control, scrub_record
from zebench.sandbox.stores import PackageStores
from zebench.scenarios.model import Scenario

SandboxMode = Literal["auto", "bwrap", "none"]
SANDBOX_MODES: tuple[SandboxMode, ...] = ("auto", "bwrap", "none")


class SandboxUnavailableError(ZebenchError):
    """``--sandbox bwrap`` was asked for but bubblewrap does not work on this host."""


class SandboxFallbackWarning(UserWarning):
    """``--sandbox auto`` fell back to running commands unsandboxed."""


# Process-wide on purpose: the fallback is a property of the host, so it is announced once per
# process, not once per run of a batch.
_warn_lock = threading.Lock()
_warned: list[str] = []


def fallback_message(reason: str) -> str:
    """The one line shown when ``auto`` runs commands without a sandbox."""
    return f"commands will run without a sandbox: {reason} (pass --sandbox none to silence this)"


def _warn_fallback(reason: str) -> None:
    with _warn_lock:
        if _warned:
            return
        _warned.append(reason)
    warnings.warn(fallback_message(reason), SandboxFallbackWarning, stacklevel=3)


class LocalRunnerNoSandbox(LocalCommandRunner):
    """The host runner, labelled for records and progress output."""

    sandbox_name = "none"


def create_runner(
    mode: SandboxMode, scenario: Scenario, *, limits: Limits | None = None, offline: bool = False
) -> CommandRunner:
    """The command runner for ``scenario`` under ``mode`` (``auto``, ``bwrap`` or ``none``).

    The runner carries the scenario's ``env:`` (credential-named entries dropped), its tool
    environment (built or taken from the cache, first on PATH) and, under bubblewrap, its
    ``network:`` setting. ``offline`` takes the network from every command, install commands
    included; it needs the sandbox. Raises :class:`SandboxUnavailableError` for ``bwrap`` (or
    ``offline``) when the probe fails; ``auto`` warns once and uses the host runner instead.
    """
    _check_mode(mode, offline)
    if mode != "none":
        probe = probe_bwrap()
        if not probe.ok:
            _refuse(mode, offline, probe.reason)
            _warn_fallback(probe.reason)
            mode = "none"
    return _runner(mode, scenario, limits, offline)


def _check_mode(mode: SandboxMode, offline: bool) -> None:
    if mode not in SANDBOX_MODES:
        raise ZebenchError(
            f"unknown sandbox mode {mode!r}", field="--sandbox", hint=f"use one of {', '.join(SANDBOX_MODES)}"
        )
    if offline and mode == "none":
        raise ZebenchError(
            "--offline needs the sandbox: without it commands share the host's network",
            field="--offline",
            hint="drop --sandbox none, or disconnect the host (e.g. unshare --net)",
        )


def _refuse(mode: SandboxMode, offline: bool, reason: str) -> None:
    """Raise when the sandbox is required (``bwrap``, or ``offline``) but does not work here."""
    if mode == "bwrap" or offline:
        raise SandboxUnavailableError(
            reason,
            field="--offline" if offline and mode != "bwrap" else "--sandbox",
            hint="install bubblewrap" + ("" if offline else " or pass --sandbox none"),
        )


def _runner(mode: SandboxMode, scenario: Scenario, limits: Limits | None, offline: bool) -> CommandRunner:
    runtime = scenario_runtime(scenario)
    env = {**scenario.env, **runtime.env}
    if mode == "none":
        return LocalRunnerNoSandbox(base_env=env, path_prefix=runtime.path_prefix)
    installs = any(command.kind == "install" for command in scenario.validation)
    return BwrapCommandRunner(
        base_env=env,
        network=scenario.network and not offline,
        limits=limits,
        path_prefix=runtime.path_prefix,
        read_only=runtime.read_only,
        offline=offline,
        # A scenario that installs packages gets warm stores (see zebench.sandbox.stores).
        stores=PackageStores.for_scenario(scenario.suite, scenario.id) if installs else None,
    )


def runner_factory(
    mode: SandboxMode = "auto",
    *,
    limits: Limits | None = None,
    on_fallback: Callable[[str], None] | None = None,
    offline: bool = False,
) -> Callable[[Scenario], CommandRunner]:
    """A ``run_batch(runner_factory=...)`` that builds :func:`create_runner` runners.

    The probe runs here, once per batch: ``bwrap`` (or ``offline``) fails before the batch starts
    when the sandbox is unusable, and ``auto`` announces its fallback once, through
    ``on_fallback`` (the CLI prints it as one line) or, without one, as a
    :class:`SandboxFallbackWarning`.
    """
    _check_mode(mode, offline)
    if mode != "none":
        probe = probe_bwrap()
        if not probe.ok:
            _refuse(mode, offline, probe.reason)
            if on_fallback is None:
                _warn_fallback(probe.reason)
            else:
                on_fallback(fallback_message(probe.reason))
            return lambda scenario: _runner("none", scenario, limits, offline)
    return lambda scenario: create_runner(mode, scenario, limits=limits, offline=offline)


__all__ = [
    "SANDBOX_MODES",
    "BwrapCommandRunner",
    "Limits",
    "LocalRunnerNoSandbox",
    "ProbeResult",
    "SandboxFallbackWarning",
    "SandboxLayout",
    "SandboxMode",
    "SandboxUnavailableError",
    "bwrap_argv",
    "collect_secret_values",
    "create_runner",
    "fallback_message",
    "probe_bwrap",
    "runner_factory",
    "scrub_control",
    "scrub_record",
]
