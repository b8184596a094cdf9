"""Which runner a Python project's tests are written for, read from the test modules themselves.

A project that declares no pytest configuration may still be tested with pytest (or nose, whose
plain test functions pytest runs): toolz before 2019 had no tox.ini, no pytest.ini and no pytest
requirement, only modules of plain ``def test_...`` functions that ``python -m unittest`` does not
see. So the modules decide: a module-level test function, a plain ``class Test...``, or an import
of pytest means pytest; modules that only define ``unittest.TestCase`` classes mean unittest,
which needs nothing installed. pytest runs ``TestCase`` classes too, so a mix is pytest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

Runner = Literal["pytest", "unittest"]

MAX_MODULES = 40  # test modules read per tree: enough to see the style, cheap on a big tree
_PYTEST_STYLE = re.compile(
    r"^(?:def test\w*\s*\(|async def test\w*\s*\(|class Test\w*\s*(?:\(\s*(?:object)?\s*\))?\s*:"
    r"|import pytest\b|from pytest\b|@pytest\.)",
    re.MULTILINE,
)
_UNITTEST_STYLE = re.compile(r"^class \w+\s*\([^)]*\bTestCase\b[^)]*\)\s*:", re.MULTILINE)


def is_test_module(path: str) -> bool:
    """A Python file the runners collect by default: ``test*.py`` or ``*_test.py``."""
    name = path.rpartition("/")[2]
    return name.endswith(".py") and (name.startswith("test") or name.endswith("_test.py"))


def module_runner(text: str) -> Runner | None:
    """The runner one test module is written for, or None when it shows neither style."""
    if _PYTEST_STYLE.search(text):
        return "pytest"
    if _UNITTEST_STYLE.search(text):
        return "unittest"
    return None


def modules_runner(
    read: Callable[[str], str | None], paths: Iterable[str], *, first: Iterable[str] = ()
) -> Runner | None:
    """The runner the test modules among ``paths`` are written for (None: no test module shows one).

    The modules in ``first`` (those a mined commit runs) are read before the others. One
    pytest-style module is enough for pytest: ``unittest`` would silently skip its tests.
    """
    ordered = [*sorted(first), *sorted(paths)]
    modules = list(dict.fromkeys(p for p in ordered if is_test_module(p)))[:MAX_MODULES]
    seen: set[Runner] = set()
    for path in modules:
        text = read(path)
        runner = module_runner(text) if text is not None else None
        if runner == "pytest":
            return "pytest"
        if runner is not None:
            seen.add(runner)
    return "unittest" if seen else None
