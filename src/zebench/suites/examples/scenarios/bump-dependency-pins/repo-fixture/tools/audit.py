#!/usr/bin/env python3
"""Audit exact pins against the offline advisory snapshot in tools/advisories.json.

Usage: python3 tools/audit.py [requirements.txt]

Prints `name==version: ID summary (fixed in X)` for each known advisory affecting a pin and
exits 1 if there is any; prints "No known vulnerabilities" and exits 0 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ADVISORIES = Path(__file__).with_name("advisories.json")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def version_key(version: str) -> tuple[int, ...]:
    """`2024.07.04` -> (2024, 7, 4); pre/post/local suffixes are ignored for this audit."""
    release = re.match(r"\d+(?:\.\d+)*", version.strip())
    if release is None:
        raise ValueError(f"unsupported version: {version!r}")
    parts = [int(part) for part in release.group(0).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def read_pins(path: Path) -> dict[str, str]:
    pins = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[normalize(name)] = version.strip()
    return pins


def audit(pins: dict[str, str], advisories: list[dict]) -> list[str]:
    findings = []
    for advisory in advisories:
        version = pins.get(normalize(advisory["package"]))
        if version is None:
            continue
        for affected in advisory["ranges"]:
            if version_key(affected["introduced"]) <= version_key(version) < version_key(affected["fixed"]):
                findings.append(
                    f"{advisory['package']}=={version}: {advisory['id']} {advisory['summary']}"
                    f" (fixed in {affected['fixed']})"
                )
    return findings


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("requirements.txt")
    advisories = json.loads(ADVISORIES.read_text(encoding="utf-8"))["advisories"]
    findings = audit(read_pins(path), advisories)
    for finding in findings:
        print(finding)
    if findings:
        print(f"Found {len(findings)} known vulnerabilit{'ies' if len(findings) != 1 else 'y'} in {path}.")
        return 1
    print(f"No known vulnerabilities in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
