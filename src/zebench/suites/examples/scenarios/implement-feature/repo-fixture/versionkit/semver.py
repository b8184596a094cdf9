"""Parse and bump semantic versions (https://semver.org)."""

from __future__ import annotations

import re
from typing import NamedTuple

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<prerelease>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

PARTS = ("major", "minor", "patch")


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    prerelease: str | None = None
    build: str | None = None

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        if self.build:
            text += f"+{self.build}"
        return text


def parse_version(text: str) -> Version:
    """Parse ``"1.2.3"``, ``"v1.2.3-rc.1+build.5"``...; raise ValueError for anything else."""
    match = _SEMVER.match(text.strip())
    if match is None:
        raise ValueError(f"not a semantic version: {text!r}")
    return Version(
        int(match.group("major")),
        int(match.group("minor")),
        int(match.group("patch")),
        match.group("prerelease"),
        match.group("build"),
    )


def bump_version(version: str, part: str) -> str:
    """Return the next version after ``version`` for ``part`` ("major", "minor" or "patch").

    Rules (the same as npm's ``semver.inc``):

    * ``major``: ``1.2.3 -> 2.0.0``; ``minor``: ``1.2.3 -> 1.3.0``; ``patch``: ``1.2.3 -> 1.2.4``.
    * The result never has a pre-release tag or build metadata, and never a leading ``v``.
    * A pre-release is finished rather than skipped when it already sits on the requested
      boundary: ``1.2.3-rc.1`` + patch -> ``1.2.3``; ``1.3.0-beta`` + minor -> ``1.3.0``;
      ``2.0.0-alpha`` + major -> ``2.0.0``. Otherwise it bumps normally:
      ``1.2.3-rc.1`` + minor -> ``1.3.0``, ``1.2.3-rc.1`` + major -> ``2.0.0``.
    * An invalid version or an unknown part raises ValueError.
    """
    raise NotImplementedError("TODO(REL-88): implement bump_version")
