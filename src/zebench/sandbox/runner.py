"""``BwrapCommandRunner``: the local runner's process handling, inside bubblewrap with limits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from zebench.commands.runner import LocalCommandRunner
from zebench.sandbox.bwrap import SANDBOX_HOME, SandboxLayout, bwrap_argv, sandbox_path
from zebench.sandbox.limits import CgroupSet, Limits, make_preexec, rlimit_values


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
    ) -> None:
        super().__init__(base_env, home=SANDBOX_HOME, allow_env_names=allow_env_names)
        self.network = network
        self.limits = limits or Limits()
        self.layout = layout or SandboxLayout.detect()
        self.workspace = workspace
        self.use_cgroups = use_cgroups

    def argv(self, command: str, cwd: Path) -> list[str]:
        return bwrap_argv(
            super().argv(command, cwd),
            writable=self.workspace or cwd,
            cwd=cwd,
            layout=self.layout,
            network=self.network,
        )

    def environment(self, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
        full = super().environment(cwd, env)
        explicit = {**self.base_env, **(env or {})}
        if "PATH" not in explicit:
            # The host PATH may name folders that do not exist inside (pyenv shims, ~/.local/bin).
            full["PATH"] = sandbox_path(full.get("PATH", ""), self.layout)
        full["HOME"] = SANDBOX_HOME
        full["TMPDIR"] = "/tmp"
        full["USER"] = full["LOGNAME"] = "nobody"
        return full

    @contextmanager
    def launch(self, cwd: Path, timeout_s: float) -> Iterator[Callable[[], None] | None]:
        cgroups = CgroupSet.create(self.limits) if self.use_cgroups else CgroupSet()
        try:
            yield make_preexec(rlimit_values(self.limits), list(cgroups.proc_fds))
        finally:
            cgroups.close()
