"""Prerequisites that CI must have: there, their absence fails instead of skipping tests."""

import os
import shutil
from pathlib import Path

from compat_paths import COMPAT_SUITES, COMPAT_TEMPLATES

IN_CI = os.environ.get("CI") == "true"


def test_compat_inputs_are_present_in_ci() -> None:
    """The original's inputs sit beside the clone in CI."""
    if IN_CI:
        assert COMPAT_SUITES.is_dir() and COMPAT_TEMPLATES.is_dir(), f"missing {COMPAT_SUITES.parent}"


def test_system_tools_are_present_in_ci() -> None:
    """chromium, bubblewrap, PostgreSQL 15, node, pnpm and every pinned CLI agent are installed by .ci/run."""
    if IN_CI:
        from zebench.agents.installed.install import installed
        from zebench.agents.installed.pins import PINS

        missing = [name for name, pin in PINS.items() if installed(pin) is None]
        assert not missing, f"zebench agents install --all did not install {missing}"
        for tool in ("chromium", "bwrap", "node", "git", "pnpm"):
            assert shutil.which(tool), f"{tool} is not on PATH"
        assert Path("/usr/lib/postgresql/15/bin/initdb").exists()
