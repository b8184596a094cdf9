"""``BwrapCommandRunner``: the local runner's process handling, inside bubblewrap with limits."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from zebench.commands.runner import DEFAULT_OUTPUT_CAP, Launch, LocalCommandRunner
from zebench.results.models import CommandKind, CommandResult
from zebench.sandbox.bwrap import SANDBOX_HOME, PhaseMounts, SandboxLayout, bwrap_argv, sandbox_path
from zebench.sandbox.gateway_link import url_in_sandbox, wrap_with_forwarder
from zebench.sandbox.limits import CgroupSet, Limits, exec_wrapper, make_preexec, rlimit_values
from zebench.sandbox.session import SandboxSession, SessionUnavailable
from zebench.sandbox.stores import STORE_ENV, PackageStores, remove_copy

# What package managers read as "there is no network" (npm and pnpm read npm_config_*).
OFFLINE_ENV = {"npm_config_offline": "true", "PIP_NO_INDEX": "1", "UV_OFFLINE": "1"}


class _Sessions:
    """The runner's sandbox sessions, shared by its ``with_cancel`` copies."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: SandboxSession | None = None
        self.standby: SandboxSession | None = None
        self.broken = False  # a session failed to start here: one sandbox per command from now on
        self.root: Path | None = None  # the folder sessions make writable (the run's workspace)
        self.mounts: PhaseMounts | None = None  # this phase's extra binds (an agent CLI's HOME ...)
        self.gateway: Path | None = None  # the model gateway's socket, during the agent's phase
        self.next_one_off = False  # the next phase runs one command: a sandbox of its own, no session
        self.one_off = False  # this phase's next command is its only one (see prepare_next)
        self.stores: Path | None = None  # this phase's private copy of the package stores
        self.next_stores: Path | None = None  # the next phase's, made by prepare_next


class BwrapCommandRunner(LocalCommandRunner):
    """Runs commands in bubblewrap sandboxes (see ``zebench.sandbox.bwrap``).

    Each command gets: a read-only system, the workspace as the only writable host folder, a
    private /tmp and HOME, no network unless ``network``, no capabilities, uid 65534, the rlimits of
    ``limits`` and, where this host allows, pids and memory cgroups. The wall-clock timeout kills
    the command's process group, and nothing a command starts outlives it.

    With ``sessions`` (the default), the commands of one phase of a run share one sandbox
    (:class:`~zebench.sandbox.session.SandboxSession`): the agent's commands one, validation and
    evaluation another, prepared ahead with :meth:`prepare_next` and switched to with
    :meth:`next_phase`, so nothing of the agent's phase (files in /tmp or HOME, processes) reaches
    validation. A command asking for a different network setting gets a sandbox of its own.
    ``workspace`` pins the writable folder when commands run in a subfolder of it.
    """

    sandbox_name = "bwrap"

    def __init__(
        self,
        base_env: Mapping[str, str] | None = None,
        *,
        network: bool = False,
        limits: Limits | None = None,
        layout: SandboxLayout | None = None,
        workspace: Path | None = None,
        use_cgroups: bool = True,
        allow_env_names: Collection[str] = (),
        path_prefix: Sequence[str] = (),
        read_only: Sequence[str] = (),
        sessions: bool = True,
        offline: bool = False,
        stores: PackageStores | None = None,
    ) -> None:
        super().__init__(
            base_env, home=SANDBOX_HOME, allow_env_names=allow_env_names, path_prefix=path_prefix
        )
        self.network = network
        self.limits = limits or Limits()
        layout = layout or SandboxLayout.detect()
        if read_only:  # a scenario's tool environments, shown read-only like the interpreters
            layout = replace(layout, read_only=tuple(dict.fromkeys([*layout.read_only, *read_only])))
        self.layout = layout
        self.workspace = workspace
        self.use_cgroups = use_cgroups
        self.sessions = sessions
        self.offline = offline  # no command gets the network, whatever it declares
        self.stores = stores  # the scenario's shared package stores: each phase gets a private copy
        self._sessions = _Sessions()

    # --- sessions -------------------------------------------------------------------------------

    def _phase_limits(self, mounts: PhaseMounts | None) -> Limits:
        if mounts is not None and mounts.lift_address_space:
            return replace(self.limits, address_space_mb=None)
        return self.limits

    def _start(
        self, cwd: Path, mounts: PhaseMounts | None = None, stores: Path | None = None
    ) -> SandboxSession:
        return SandboxSession(
            self.workspace or self._sessions.root or cwd,
            layout=self.layout,
            limits=self._phase_limits(mounts),
            network=self.network,
            use_cgroups=self.use_cgroups,
            gateway_socket=self._sessions.gateway,
            mounts=mounts,
            stores=stores,
        )

    def _phase_stores(self) -> Path | None:
        """This phase's copy of the package stores, made on first use (call with the lock held)."""
        state = self._sessions
        if self.stores is not None and state.stores is None:
            state.stores = self.stores.private_copy()
        return state.stores

    def publish_stores(self) -> None:
        """Make this phase's package stores the scenario's shared ones: only for the control's
        phase, whose commands validated the pristine fixture (see ``zebench.sandbox.stores``)."""
        with self._sessions.lock:
            copy = self._sessions.stores
        if self.stores is not None and copy is not None:
            self.stores.publish(copy)

    def attach_gateway(self, unix_socket: Path, host_url: str) -> str:
        """Let this phase's commands reach the model gateway; returns its URL as they see it.

        Without the network, the socket is bound into the sandbox and forwarded to a port on its
        own loopback, and nothing else is reachable. With the network (a scenario's ``network:
        true``) the sandbox shares the host's, so it reaches the gateway's TCP port directly.
        The next :meth:`next_phase` detaches it: validation never sees the gateway.
        """
        if self.network_for(None):
            return host_url
        with self._sessions.lock:
            self._sessions.gateway = unix_socket
        return url_in_sandbox()

    def set_phase_mounts(self, mounts: PhaseMounts | None) -> None:
        """Give this phase's sandbox extra binds (see :class:`PhaseMounts`) until :meth:`next_phase`.

        An agent CLI runs in the agent's phase with its private HOME, its installation and the
        model gateway's socket; a session already running without them is ended first, so the
        next command starts in a sandbox that has them. The next phase's sandbox never has them.
        """
        state = self._sessions
        with state.lock:
            stale = state.current if state.current is not None and state.current.mounts != mounts else None
            if stale is not None:
                state.current = None
            state.mounts = mounts
        if stale is not None:
            stale.close()

    def prepare_next(self, cwd: Path, *, commands: int | None = None) -> None:
        """Start the next phase's sandbox now, in the background, rooted at ``cwd``.

        A phase known to run one command (``commands=1``) gets no session: its command runs in a
        sandbox of its own, which is the same isolation without the command server, a Python
        interpreter started for one command (~10 ms of CPU, half a run's sandbox cost). Should a
        second command come after all, it gets a session as usual.
        """
        state = self._sessions
        with state.lock:
            state.root = state.root or cwd  # the run's workspace: later sessions root there too
            state.next_one_off = commands == 1
            if self.stores is not None and state.next_stores is None:
                state.next_stores = self.stores.private_copy()
            if not self.sessions or state.broken or state.standby is not None or state.next_one_off:
                return
            state.standby = self._start(cwd, stores=state.next_stores)

    def next_phase(self) -> None:
        """End the current phase's sandbox (and all it runs); later commands use a fresh one."""
        state = self._sessions
        with state.lock:
            old, state.current, state.standby = state.current, state.standby, None
            state.mounts = None
            state.gateway = None
            state.one_off, state.next_one_off = state.next_one_off, False
            old_stores, state.stores, state.next_stores = state.stores, state.next_stores, None
        if old is not None:
            old.close()
        remove_copy(old_stores)

    def close(self, *, wait: bool = False) -> None:
        """End every sandbox session of this runner; the last clean-up (waiting for bubblewrap,
        removing cgroups) continues in the background unless ``wait``."""
        state = self._sessions
        with state.lock:
            sessions, state.current, state.standby = [state.current, state.standby], None, None
            copies, state.stores, state.next_stores = [state.stores, state.next_stores], None, None
        for session in sessions:
            if session is not None:
                session.close(wait=wait)
        for copy in copies:
            remove_copy(copy)

    def _session_for(self, cwd: Path, network: bool) -> SandboxSession | None:
        state = self._sessions
        if not self.sessions or network != self.network:
            return None
        stale: SandboxSession | None = None
        with state.lock:
            if state.broken:
                return None
            if state.one_off and state.current is None:
                state.one_off = False  # this command only: a later one in the phase gets a session
                return None
            session = state.current
            if (
                session is None
                or not session.alive
                or not session.covers(cwd)
                or session.gateway_socket != state.gateway
                or session.mounts != state.mounts
            ):
                # e.g. the runner moved on to another workspace: its old sandbox is done with
                stale, session = session, self._start(cwd, state.mounts, self._phase_stores())
                state.current = session
        if stale is not None:
            stale.close()
        return session

    def run(
        self,
        command: str,
        cwd: Path,
        *,
        name: str | None = None,
        kind: CommandKind = "custom",
        timeout_s: float = 600.0,
        env: Mapping[str, str] | None = None,
        output_cap: int = DEFAULT_OUTPUT_CAP,
        network: bool | None = None,
    ) -> CommandResult:
        """Run ``command`` in this phase's sandbox session, else in a sandbox of its own."""
        has_network = self.network_for(network)
        session = self._session_for(cwd, has_network)
        if session is not None:
            try:
                result = session.run(
                    LocalCommandRunner.argv(self, command, cwd, has_network),
                    cwd,
                    label=name or kind,
                    kind=kind,
                    text=command,
                    timeout_s=timeout_s,
                    env=self.environment(cwd, env),
                    output_cap=output_cap,
                    cancel=self.cancel,
                )
            except SessionUnavailable:
                self._sessions.broken = True  # this host cannot keep sessions: stop trying
            else:
                result.network = has_network
                return result
        return super().run(
            command,
            cwd,
            name=name,
            kind=kind,
            timeout_s=timeout_s,
            env=env,
            output_cap=output_cap,
            network=network,
        )

    def network_for(self, requested: bool | None) -> bool:
        """A command gets the network only when it asks for it, else when the runner allows it;
        never when the runner is ``offline``."""
        if self.offline:
            return False
        return self.network if requested is None else requested

    def argv(self, command: str, cwd: Path, network: bool = False) -> list[str]:
        inner = super().argv(command, cwd, network)
        gateway = None if network else self._sessions.gateway
        if gateway is not None:  # a sandbox of its own still reaches the gateway, and only it
            inner = wrap_with_forwarder(inner)
        with self._sessions.lock:
            stores = self._phase_stores()
        return bwrap_argv(
            inner,
            writable=self.workspace or cwd,
            cwd=cwd,
            layout=self.layout,
            network=network,
            gateway_socket=None if gateway is None else str(gateway),
            mounts=self._sessions.mounts,
            stores=None if stores is None else str(stores),
        )

    def visible_path(self, host_path: str) -> str:
        # The host PATH may name folders that do not exist inside (pyenv shims, ~/.local/bin).
        return sandbox_path(host_path, self.layout)

    def environment(self, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
        full = super().environment(cwd, env)
        full["HOME"] = SANDBOX_HOME
        full["TMPDIR"] = "/tmp"
        full["USER"] = full["LOGNAME"] = "nobody"
        if self.offline:
            # Tell package managers, so they fail at once instead of retrying for minutes.
            full.update(OFFLINE_ENV)
        if self.stores is not None:
            for name, value in STORE_ENV.items():
                full.setdefault(name, value)  # a scenario's own setting wins
        return full

    @contextmanager
    def launch(self, cwd: Path, timeout_s: float) -> Iterator[Launch]:
        limits = self._phase_limits(self._sessions.mounts)
        cgroups = CgroupSet.create(limits) if self.use_cgroups else CgroupSet()
        try:
            rlimits = rlimit_values(limits)
            wrapper = exec_wrapper(rlimits, cgroups.directories)
            if wrapper is not None:
                yield Launch(prefix=tuple(wrapper))
            else:
                yield Launch(preexec_fn=make_preexec(rlimits, cgroups.open_proc_fds()))
        finally:
            cgroups.close()
