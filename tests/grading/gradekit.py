"""A tiny bug-fix scenario written by the tests: unittest tests, a hidden regression test, a fix.

``calc.add`` subtracts. The fixture's own tests pass anyway (they never add two non-zero numbers);
the hidden test ``test_add.AddTests.test_adds`` fails until the solution fixes ``add``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

CliRun = Callable[..., subprocess.CompletedProcess[str]]

F2P = ["test_add.AddTests.test_adds"]
P2P = ["test_add.AddTests.test_add_zero", "test_calc.CalcTests.test_mul", "test_calc.CalcTests.test_mul_zero"]
TEST_COMMAND = "python3 -m unittest discover -s tests -t tests -v"

CALC_BUG = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
CALC_FIXED = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
FIXTURE_TESTS = """import unittest

from calc import mul


class CalcTests(unittest.TestCase):
    def test_mul(self):
        self.assertEqual(mul(2, 3), 6)

    def test_mul_zero(self):
        self.assertEqual(mul(0, 3), 0)
"""
HIDDEN_TEST = """import unittest

from calc import add


class AddTests(unittest.TestCase):
    def test_add_zero(self):
        self.assertEqual(add(0, 0), 0)

    def test_adds(self):
        self.assertEqual(add(2, 3), 5)
"""


def write_tiny_suite(root: Path, name: str = "calc-bug", **config: object) -> Path:
    """``root/suites/tiny/scenarios/<name>``; ``config`` keys override scenario.yaml's."""
    directory = root / "suites" / "tiny" / "scenarios" / name
    files = {
        "repo-fixture/calc.py": CALC_BUG,
        "repo-fixture/tests/test_calc.py": FIXTURE_TESTS,
        "tests-hidden/tests/test_add.py": HIDDEN_TEST,
        "solution/calc.py": CALC_FIXED,
        "prompts/L1-basic.md": "add() subtracts instead of adding. Fix it.\n",
    }
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    scenario = {
        "name": "add() subtracts",
        "validation_commands": [{"name": "tests", "kind": "test", "command": TEST_COMMAND, "timeout": 60}],
        "evaluators": [
            {"name": "resolved", "weight": 3, "required": True},
            {"name": "integrity", "weight": 1},
        ],
        **config,
    }
    (directory / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=False, capture_output=True)
    return directory
