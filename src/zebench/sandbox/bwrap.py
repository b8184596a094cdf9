"""The bubblewrap command line: a read-only minimal system around one writable workspace.

What is inside: /usr (and the /bin, /lib* links or folders), a selection of /etc, the Python
installation zebench runs on (and its venv), node's installation when it lives outside /usr, a
private /tmp and HOME (tmpfs), a fresh /dev and /proc, and the workspace, bound read-write at its
own path so absolute paths in commands and outputs mean the same inside and out. Nothing else of the
host exists: not the scenario folder (solution, hidden tests, oracle answers), not the results
database, not /root or /home.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zebench.sandbox.etc_view import etc_view

SANDBOX_UID = 65534  # "nobody": exists in every /etc/passwd, owns nothing
SANDBOX_HOME = "/home/sandbox"
SANDBOX_HOSTNAME = "zebench-sandbox"

# Top-level system paths, bound read-only (or recreated as the symlinks they are on merged-/usr).
_SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

# An allow-list of /etc: enough for shells, git, python, node, TLS and name resolution. Not the
# whole folder, because the sandbox's user maps to the harness's uid outside, and for a root harness
# that would make root-only files such as /etc/shadow or ssh host keys readable.
_ETC_ENTRIES = (
    "alternatives",
    "bash.bashrc",
    "ca-certificates",
    "ca-certificates.conf",
    "debian_version",
    "gai.conf",
    "gitconfig",
    "group",
    "host.conf",
    "hostname",
    "hosts",
    "inputrc",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "locale.alias",
    "localtime",
    "magic",
    "mime.types",
    "networks",
    "npmrc",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "pip.conf",
    "profile",
    "protocols",
    "python3",
    "python3.11",
    "resolv.conf",
    "services",
    "shells",
    "ssl",
    "terminfo",
    "timezone",
)


@dataclass(frozen=True)
class PhaseMounts:
    """Extra binds for one phase's sandbox: what an agent CLI running inside needs.

    ``home`` is a host folder shown read-write as HOME (the agent's private configuration and
    session files, never in the workspace); ``read_only`` are host folders shown read-only at their
    own paths (the agent's installation); ``sockets`` are ``(host path, path inside)`` pairs of Unix
    sockets (the model gateway's), the only way out of a sandbox without network.
    ``lift_address_space`` drops RLIMIT_AS for the phase: node's WebAssembly (undici's HTTP parser)
    reserves tens of GB of address space it never touches, and a CLI agent's fetch fails under the
    16 GB cap; the memory cgroup still bounds what it really uses.
    """

    home: str | None = None
    read_only: tuple[str, ...] = ()
    sockets: tuple[tuple[str, str], ...] = ()
    lift_address_space: bool = False


@dataclass(frozen=True)
class SandboxLayout:
    """Where things are: the bwrap binary and the host folders shown read-only inside."""

    bwrap: str = "/usr/bin/bwrap"
    read_only: tuple[str, ...] = field(default_factory=tuple)  # beyond /usr, /bin, /lib* and /etc

    @classmethod
    def detect(cls, bwrap: str | None = None) -> SandboxLayout:
        """The layout for this host: the running Python and node installations included."""
        return cls(bwrap=bwrap or shutil.which("bwrap") or "/usr/bin/bwrap", read_only=tuple(runtime_paths()))


def runtime_paths() -> list[str]:
    """Host folders holding the interpreters commands need: this Python (and venv) and node."""
    candidates = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    node = shutil.which("node")
    if node:
        # .../bin/node -> the installation folder (nvm, volta, a tarball in /opt ...).
        candidates.add(str(Path(os.path.realpath(node)).parent.parent))
    return sorted(p for p in candidates if not _covered(p, _SYSTEM_PATHS) and os.path.isdir(p))


def shown_anyway(path: str) -> bool:
    """Whether every sandbox shows ``path`` already (the system folders, this Python, node)."""
    return _covered(path, (*_SYSTEM_PATHS, *runtime_paths()))


def _covered(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _system_args() -> list[str]:
    args: list[str] = []
    for path in _SYSTEM_PATHS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    view = etc_view(_ETC_ENTRIES)
    if view is not None:
        return [*args, "--ro-bind", view, "/etc"]
    for entry in _ETC_ENTRIES:
        path = f"/etc/{entry}"
        if os.path.exists(path):  # a dangling link (e.g. resolv.conf into /run) is skipped
            args += ["--ro-bind", path, path]
    return args


def sandbox_path(host_path: str, layout: SandboxLayout) -> str:
    """PATH for inside: the runtimes' bin folders, then host entries that exist in the sandbox."""
    roots = (*_SYSTEM_PATHS, *layout.read_only)
    entries = [str(Path(p) / "bin") for p in layout.read_only]
    entries += [p for p in host_path.split(os.pathsep) if p and _covered(p, roots)]
    entries += ["/usr/local/bin", "/usr/bin", "/bin"]
    return os.pathsep.join(dict.fromkeys(entries))  # first occurrence wins, order kept


def bwrap_argv(
    inner: Sequence[str],
    *,
    writable: Path,
    cwd: Path,
    layout: SandboxLayout,
    network: bool = False,
    uid: int = SANDBOX_UID,
    mounts: PhaseMounts | None = None,
    gateway_socket: str | None = None,
    stores: str | None = None,
) -> list[str]:
    """The full argv running ``inner`` in a sandbox whose only writable host folder is ``writable``.

    ``gateway_socket`` (the model gateway's Unix socket on the host) is bound read-only at
    ``zebench.sandbox.gateway_link.SOCKET_IN_SANDBOX``; ``stores`` (a phase's private copy of the
    scenario's package stores) read-write at ``zebench.sandbox.stores.STORE_INSIDE``.

    Order matters to bwrap: mounts are applied left to right, so the private /tmp comes before the
    read-only runtimes and the workspace (either may live under /tmp on the host) and the root is
    made read-only last.
    """
    work = os.path.realpath(writable)
    args = [
        layout.bwrap,
        "--unshare-all",  # pid, ipc, uts, cgroup, net (re-shared below only when allowed)
        "--unshare-user",  # needed for --uid/--gid; a root harness is an unprivileged user inside
        "--die-with-parent",  # the harness killing bwrap kills the whole sandbox
        "--new-session",  # no TIOCSTI into the harness's terminal
        "--cap-drop",
        "ALL",
        "--uid",
        str(uid),
        "--gid",
        str(uid),
        "--hostname",
        SANDBOX_HOSTNAME,
    ]
    if network:
        args.append("--share-net")
    args += _system_args()
    mounts = mounts or PhaseMounts()
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    if mounts.home is not None:
        args += ["--bind", os.path.realpath(mounts.home), SANDBOX_HOME]
    else:
        args += ["--tmpfs", SANDBOX_HOME]
    # After the private /tmp, so interpreters and tool environments kept under /tmp stay visible.
    for path in dict.fromkeys([*layout.read_only, *mounts.read_only]):
        args += ["--ro-bind", path, path]
    for host, inside in mounts.sockets:
        args += ["--bind", host, inside]
    args += ["--bind", work, work]
    if stores is not None:
        from zebench.sandbox.stores import STORE_INSIDE

        args += ["--bind", os.path.realpath(stores), STORE_INSIDE]
    if gateway_socket is not None:
        from zebench.sandbox.gateway_link import SOCKET_IN_SANDBOX

        args += ["--ro-bind", gateway_socket, SOCKET_IN_SANDBOX]
    args += ["--remount-ro", "/", "--chdir", os.path.realpath(cwd), "--", *inner]
    return args
