#!/usr/bin/env python3
"""Check that a requirements file only contains exact pins.

Usage: python3 tools/check_pins.py [requirements.txt ...]   (default: requirements.txt)

Every line that is not blank and not a comment must be `name==version` (an inline `# comment`
after it is fine). Ranges, unpinned names, URLs, editable installs, `-r` includes and duplicate
packages are rejected. Prints `path:line: message` per problem and exits 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
PIN = re.compile(rf"^(?P<name>{NAME})==(?P<version>[0-9][A-Za-z0-9.+!-]*)$")


def normalize(name: str) -> str:
    """PEP 503 normalisation: `PyYAML` -> `pyyaml`, `charset_normalizer` -> `charset-normalizer`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check(path: Path) -> list[str]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        if match is None:
            problems.append(f"{path}:{number}: not an exact `name==version` pin: {line!r}")
            continue
        key = normalize(match.group("name"))
        if key in seen:
            problems.append(f"{path}:{number}: duplicate pin for {key} (first on line {seen[key]})")
        seen[key] = number
    if not seen:
        problems.append(f"{path}: no pins found")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or [Path("requirements.txt")]
    problems: list[str] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: no such file")
            continue
        problems.extend(check(path))
    for problem in problems:
        print(problem)
    if problems:
        print(f"Found {len(problems)} problem(s).")
        return 1
    print(f"All pins exact ({', '.join(str(p) for p in paths)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
