"""Installing a pinned agent CLI into zebench's cache, once, the way ``environment:`` pins are.

npm packages go to ``<cache>/agents/<name>-<version>`` with ``npm install --prefix … --ignore-scripts``;
Python packages to a virtualenv of their own there. An installation is published by a marker file
written last, behind a lock, so concurrent runs and processes share it. A user's own binary
(``--agent-bin`` or the pin's environment variable) replaces the installation.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from zebench.agents.installed.pins import AgentPin
from zebench.errors import AgentConfigError
from zebench.packages.cache import cache_path, exclusive
from zebench.packages.tools import run_tool

INSTALL_TIMEOUT_S = 1800.0
READY = ".zebench-ready"  # written last: a folder without it is half-installed and is redone


@dataclass(frozen=True)
class Installation:
    """An agent ready to run: the executable, and the host folders a sandbox must show read-only."""

    binary: str
    read_only: tuple[str, ...]
    version: str  # the pinned version, or "user" for a user's own binary


def install_dir(pin: AgentPin) -> Path:
    """Where ``pin`` is (or will be) installed."""
    return cache_path("agents") / f"{pin.name}-{pin.version}"


def find_binary(pin: AgentPin, root: Path) -> Path | None:
    """The first of the pin's candidate executables present in ``root``."""
    for relative in pin.binaries:
        candidate = root / relative
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def installed(pin: AgentPin) -> Installation | None:
    """The cached installation of ``pin``, or None when it is not (completely) installed."""
    root = install_dir(pin)
    if not (root / READY).is_file():
        return None
    binary = find_binary(pin, root)
    return None if binary is None else Installation(str(binary), (str(root),), pin.version)


def install(pin: AgentPin) -> Installation:
    """Install ``pin`` into the cache unless it is there already; raises AgentConfigError on failure."""
    found = installed(pin)
    if found is not None:
        return found
    root = install_dir(pin)
    with exclusive(root.with_name(root.name + ".lock")):
        found = installed(pin)
        if found is not None:
            return found
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for argv in _install_steps(pin, root):
            problem = run_tool(argv, INSTALL_TIMEOUT_S)
            if problem is not None:
                shutil.rmtree(root, ignore_errors=True)  # never leave a half-installed agent
                raise AgentConfigError(
                    f"cannot install {pin.requirement}: {problem}",
                    field=pin.name,
                    hint=f"run `zebench agents install {pin.name}` where the registry can be reached, "
                    f"or point {pin.env_var} at your own binary",
                )
        if find_binary(pin, root) is None:
            shutil.rmtree(root, ignore_errors=True)
            raise AgentConfigError(
                f"{pin.requirement} installed, but none of {', '.join(pin.binaries)} is there",
                field=pin.name,
                hint=f"this platform may not be supported; point {pin.env_var} at your own binary",
            )
        (root / READY).write_text(json.dumps({"package": pin.requirement}))
    result = installed(pin)
    assert result is not None
    return result


def _install_steps(pin: AgentPin, root: Path) -> list[list[str]]:
    if pin.registry == "npm":
        npm = shutil.which("npm")
        if npm is None:
            raise AgentConfigError(
                f"installing {pin.name} needs npm, which is not installed",
                field=pin.name,
                hint="install Node.js and npm",
            )
        # Scripts stay off: packages that link a native binary in postinstall are run from their
        # platform package instead (see pins.py), so nothing but the registry is ever reached.
        return [[npm, "install", "--prefix", str(root), "--no-audit", "--no-fund", "--ignore-scripts",
                 "--no-save", pin.requirement]]  # fmt: skip
    python = str(root / "bin" / "python")
    return [
        [sys.executable, "-m", "venv", str(root)],
        [python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check", pin.requirement],
    ]


def user_binary(pin: AgentPin, override: str | None, environ: Mapping[str, str]) -> Installation | None:
    """The user's own binary (``override``, else the pin's environment variable), or None."""
    configured = override or environ.get(pin.env_var)
    if not configured:
        return None
    found = shutil.which(configured)
    if found is None:
        raise AgentConfigError(
            f"{configured} is not an executable",
            field="--agent-bin" if override else pin.env_var,
            hint=f"name the {pin.name} executable, or unset it to use the pinned {pin.requirement}",
        )
    real = Path(os.path.realpath(found))
    return Installation(found, _package_folders(real, Path(found)), "user")


def _package_folders(real: Path, link: Path) -> tuple[str, ...]:
    """What a sandbox must show for a user's binary: its folder (a node package or venv root
    when it sits in one, so its modules come along) and the folder of the link that named it."""
    folders = {str(link.parent)}
    root = real.parent
    for parent in [real.parent, *real.parents]:
        if (parent / "package.json").is_file() or (parent / "pyvenv.cfg").is_file():
            root = parent
            break
    folders.add(str(root))
    return tuple(sorted(folders))


def resolve(pin: AgentPin, override: str | None, environ: Mapping[str, str]) -> Installation:
    """The installation a run uses: the user's binary, else the pin (installed on first use)."""
    return user_binary(pin, override, environ) or install(pin)
