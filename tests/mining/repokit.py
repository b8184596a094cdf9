"""A small git history, built by the tests: a stdlib-only Python project tested with unittest.

Commits, oldest first:
  1. ``Initial calc``: calc.py (sub() is buggy) and tests/test_calc.py testing add();
  2. ``Fix sub() returning the sum``: the fix and its regression test (the one keeper);
  3. ``Document calc``: README only (no candidate);
  4. ``Add mul() and a test``: source and a test that passes before the change too (F2P empty);
  5. ``Drop the legacy tests``: deletes tests/test_legacy.py and touches calc.py.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

Zb = Callable[..., subprocess.CompletedProcess[str]]  # the CLI runner fixture of conftest.py

CALC_V1 = '''"""A tiny calculator."""


def add(a, b):
    return a + b


def sub(a, b):
    return a + b  # wrong: this adds
'''
CALC_V2 = CALC_V1.replace(
    "    return a + b  # wrong: this adds\n", "    difference = a - b\n    return difference\n"
)
CALC_V3 = (
    CALC_V2
    + """

def mul(a, b):
    return a * b
"""
)
TEST_V1 = """import unittest

from calc import add


class AddTests(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)
"""
TEST_V2 = (
    TEST_V1.replace("from calc import add", "from calc import add, sub")
    + """

class SubTests(unittest.TestCase):
    def test_sub(self):
        self.assertEqual(sub(5, 3), 2)
"""
)
TEST_V3 = (
    TEST_V2
    + """

class AddMoreTests(unittest.TestCase):
    def test_add_negative(self):
        self.assertEqual(add(-2, -3), -5)
"""
)
LEGACY_TEST = """import unittest


class LegacyTests(unittest.TestCase):
    def test_nothing(self):
        self.assertTrue(True)
"""
FIX_BODY = """sub() returned a + b, so sub(5, 3) gave 8 instead of 2.

The regression test covers it.

Signed-off-by: A Developer <dev@example.com>"""


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "A Developer",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "A Developer",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or with None delete) ``files``, commit them with ``message``; returns the commit id."""
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def build_calc_repo(repo: Path) -> dict[str, str]:
    """Create the history above in ``repo``; returns commit ids by short name."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shas = {}
    shas["initial"] = commit(
        repo,
        {"calc.py": CALC_V1, "tests/__init__.py": "", "tests/test_calc.py": TEST_V1,
         "tests/test_legacy.py": LEGACY_TEST},
        "Initial calc",
    )  # fmt: skip
    shas["fix"] = commit(
        repo,
        {"calc.py": CALC_V2, "tests/test_calc.py": TEST_V2},
        f"Fix sub() returning the sum (#7)\n\n{FIX_BODY}",
    )
    shas["docs"] = commit(repo, {"README.md": "# calc\n"}, "Document calc")
    shas["no_f2p"] = commit(repo, {"calc.py": CALC_V3, "tests/test_calc.py": TEST_V3}, "Add mul() and a test")
    shas["deletes"] = commit(
        repo,
        {"calc.py": CALC_V3 + "\n# legacy removed\n", "tests/test_legacy.py": None},
        "Drop the legacy tests",
    )
    return shas
