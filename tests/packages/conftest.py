"""The local PyPI and npm registries, served, with pip, npm and zebench's cache pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pkgkit import LIB_INIT, LIB_TEST, TOOL
from registries import LocalRegistries, npm_tarball, sdist, serve, wheel


@pytest.fixture
def registries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalRegistries]:
    """The registries, served; pip, npm and zebench's cache pointed at them and at tmp_path."""
    reg = LocalRegistries()
    name, data = sdist("demo-lib", "1.0.0", {"demo_lib/__init__.py": LIB_INIT, "tests/test_add.py": LIB_TEST,
                                             "README.txt": "demo lib\n"})  # fmt: skip
    reg.add_python("demo-lib", name, data)
    reg.add_python("zbtool", *wheel("zbtool", "1.0", "zbtool", TOOL, script="zbtool"))
    reg.add_npm("demo-npm", "2.0.0", npm_tarball("demo-npm", "2.0.0", {"index.js": "exports.x = 42;\n"}))
    with serve(reg):
        for key, value in reg.env(tmp_path / "npm-cache").items():
            monkeypatch.setenv(key, value)
        for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
        yield reg
