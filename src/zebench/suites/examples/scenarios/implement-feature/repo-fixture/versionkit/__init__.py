"""Semantic-version helpers used by the release scripts."""

from versionkit.semver import Version, bump_version, parse_version

__all__ = ["Version", "bump_version", "parse_version"]
