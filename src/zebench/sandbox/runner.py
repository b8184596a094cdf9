"""``BwrapCommandRunner``: the local runner's process handling, inside bubblewrap with limits."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from zebench.commands.runner import Launch, LocalCommandRunner
from zebench.sandbox.bwrap import SANDBOX_HOME, SandboxLayout, bwrap_argv, sandbox_path
from zebench.sandbox.limits import CgroupSet, Limits, exec_wrapper, make_preexec, rlimit_values


class BwrapCommandRunner(LocalCommandRunner):
    """Runs every command in a fresh bubblewrap sandbox (see ``zebench.sandbox.bwrap``).

    Each command gets: a read-only system, its ``cwd`` (the workspace) as the only writable host
    folder, a private /tmp and HOME, no network unless ``network``, no capabilities, uid 65534, the
    rlimits of ``limits`` and, where this host allows, its own pids and memory cgroup. The wall-clock
    timeout still kills the process group (bwrap with ``--die-with-parent`` takes the sandbox along).
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

    def network_for(self, requested: bool | None) -> bool:
        """A command gets the network only when it asks for it, else when the runner allows it."""
        return self.network if requested is None else requested

    def argv(self, command: str, cwd: Path, network: bool = False) -> list[str]:
        return bwrap_argv(
            super().argv(command, cwd, network),
            writable=self.workspace or cwd,
            cwd=cwd,
            layout=self.layout,
            network=network,
        )

    def environment(self, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
        full = super().environment(cwd, env)
        explicit = {**self.base_env, **(env or {})}
        if "PATH" not in explicit:
            # The host PATH may name folders that do not exist inside (pyenv shims, ~/.local/bin).
            host_path = full.get("PATH", "").split(os.pathsep)[len(self.path_prefix) :]
            inside = sandbox_path(os.pathsep.join(host_path), self.layout)
            full["PATH"] = os.pathsep.join([*self.path_prefix, inside])
        full["HOME"] = SANDBOX_HOME
        full["TMPDIR"] = "/tmp"
        full["USER"] = full["LOGNAME"] = "nobody"
        return full

    @contextmanager
    def launch(self, cwd: Path, timeout_s: float) -> Iterator[Launch]:
        cgroups = CgroupSet.create(self.limits) if self.use_cgroups else CgroupSet()
        try:
            rlimits = rlimit_values(self.limits)
            wrapper = exec_wrapper(rlimits, cgroups.directories)
            if wrapper is not None:
                yield Launch(prefix=tuple(wrapper))
            else:
                yield Launch(preexec_fn=make_preexec(rlimits, cgroups.open_proc_fds()))
        finally:
            cgroups.close()
