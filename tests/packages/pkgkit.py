"""A small buggy package for the registries, and scenarios built on it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from registries import LocalRegistries

LIB_INIT = 'def add(a, b):\n    """Return a + b."""\n    return a - b\n'
LIB_TEST = (
    "import unittest\n\nfrom demo_lib import add\n\n\n"
    "class AddTest(unittest.TestCase):\n"
    "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n"
    "    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n"
)
SOLUTION_PATCH = """\
--- a/demo_lib/__init__.py
+++ b/demo_lib/__init__.py
@@ -1,3 +1,3 @@
 def add(a, b):
     \"\"\"Return a + b.\"\"\"
-    return a - b
+    return a + b
"""
SETUP_PATCH = """\
--- a/README.txt
+++ b/README.txt
@@ -1 +1 @@
-demo lib
+demo lib, set up by zebench
"""
TOOL = 'import sys\n\n\ndef main():\n    print("zbtool 1.0 from", sys.prefix)\n'


def sdist_sha256(reg: LocalRegistries) -> str:
    return hashlib.sha256(reg.files["demo-lib-1.0.0.tar.gz"]).hexdigest()


def write_scenario(
    root: Path, yaml_text: str, *, name: str = "demo", patch: str | None = SETUP_PATCH
) -> Path:
    """``root/pkgs/scenarios/<name>`` with prompts, a solution patch and optionally a setup patch."""
    directory = root / "pkgs" / "scenarios" / name
    (directory / "prompts").mkdir(parents=True)
    (directory / "prompts" / "L1-basic.md").write_text("add() subtracts; fix it.\n")
    (directory / "solution.patch").write_text(SOLUTION_PATCH)
    if patch is not None:
        (directory / "setup.patch").write_text(patch)
    (directory / "scenario.yaml").write_text(yaml_text)
    return directory


def demo_yaml(sha256: str, extra: str = "") -> str:
    return (
        "name: add() subtracts\n"
        f"fixture: {{pypi: 'demo-lib==1.0.0', sha256: '{sha256}'}}\n"
        "validation_commands:\n"
        "  - {name: tests, kind: test, command: 'python3 -m unittest discover -s tests -v', timeout: 60}\n"
        "evaluators: [{name: test, weight: 3, required: true}, {name: integrity, weight: 1}]\n" + extra
    )
