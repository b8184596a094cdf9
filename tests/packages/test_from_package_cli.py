"""``zebench new scenario SUITE NAME --from-package``: download, pin, scaffold, and the scenario runs.

pip and npm download from the local registries on 127.0.0.1; the CLI runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from pkgkit import SOLUTION_PATCH, sdist_sha256
from registries import LocalRegistries, npm_tarball, sdist, sri_sha512, wheel

# A stand-in for pytest, served as pytest 8.3.4: the scaffold pins that version for its tests.
FAKE_PYTEST = '''\
"""Runs unittest discovery on the folders it is given, as the scaffold's pytest command names them."""
import sys
import unittest


def main():
    args, paths = sys.argv[1:], []
    while args:
        arg = args.pop(0)
        if arg == "-p":
            args.pop(0)
        elif not arg.startswith("-"):
            paths.append(arg)
    suite = unittest.TestSuite()
    for path in paths or ["."]:
        suite.addTests(unittest.TestLoader().discover(path))
    sys.exit(0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1)


if __name__ == "__main__":
    main()
'''


def _zebench(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZEBENCH_") or k == "ZEBENCH_CACHE_DIR"}
    env["COLUMNS"] = "250"
    return subprocess.run(
        [sys.executable, "-m", "zebench", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _downloads(reg: LocalRegistries, name: str) -> int:
    return sum(path.startswith(("/files/", "/npm/")) and name in path for path in reg.hits)


def _new(tmp_path: Path, name: str, spec: str) -> subprocess.CompletedProcess[str]:
    return _zebench(
        tmp_path, "new", "scenario", "pkgs", name, "--from-package", spec, "--suites-dir", "suites"
    )


def test_a_pypi_release_is_pinned_and_the_scenario_runs(registries: LocalRegistries, tmp_path: Path) -> None:
    registries.add_python("pytest", *wheel("pytest", "8.3.4", "pytest", FAKE_PYTEST))
    proc = _new(tmp_path, "add-bug", "demo-lib==1.0.0")
    assert proc.returncode == 0, proc.stderr
    right = sdist_sha256(registries)
    assert f"pinned demo-lib==1.0.0: sha256 {right}" in proc.stdout
    assert "the sdist contains tests: tests (1 test file)" in proc.stdout
    directory = tmp_path / "suites" / "pkgs" / "scenarios" / "add-bug"
    config = yaml.safe_load((directory / "scenario.yaml").read_text())
    assert config["fixture"] == {"pypi": "demo-lib==1.0.0", "sha256": right}
    assert config["environment"] == {"python": ["pytest==8.3.4"]}
    assert "-p no:cacheprovider tests" in config["validation_commands"][0]["command"]

    # Finish it as the scaffold says (the upstream fix as solution.patch); then it runs for real,
    # from the archive the scaffold cached: no second download.
    (directory / "solution.patch").write_text(SOLUTION_PATCH)
    args = ["--suites-dir", "suites", "--sandbox", "none", "--skip-warmup", "--json"]
    oracle = _zebench(tmp_path, "bench", "pkgs", "add-bug", "--agent", "oracle", *args)
    assert oracle.returncode == 0, oracle.stdout + oracle.stderr
    assert json.loads(oracle.stdout)["is_successful"] is True
    echo = _zebench(tmp_path, "bench", "pkgs", "add-bug", "--agent", "echo", *args)
    assert echo.returncode == 1 and json.loads(echo.stdout)["is_successful"] is False
    assert _downloads(registries, "demo-lib") == 1


def test_a_release_without_tests_is_said_so(registries: LocalRegistries, tmp_path: Path) -> None:
    name, data = sdist("slug-like", "8.0.4", {"slug_like/__init__.py": "def slugify(s):\n    return s\n"})
    sha = registries.add_python("slug-like", name, data)
    proc = _new(tmp_path, "no-tests", "slug-like==8.0.4")
    assert proc.returncode == 0, proc.stderr
    assert "the sdist contains no tests" in proc.stdout and "tests-hidden/" in proc.stdout
    text = (tmp_path / "suites" / "pkgs" / "scenarios" / "no-tests" / "scenario.yaml").read_text()
    assert "ships NO tests" in text and f'sha256: "{sha}"' in text
    listed = json.loads(_zebench(tmp_path, "suites", "--suites-dir", "suites", "--json").stdout)
    assert next(r for r in listed if r["scenario"] == "no-tests")["error"] is None


def test_an_npm_release_is_pinned_by_integrity(registries: LocalRegistries, tmp_path: Path) -> None:
    tarball = npm_tarball("left-trim", "1.2.0", {"index.js": "module.exports = 1;\n", "test/index.js": "\n"})
    registries.add_npm("left-trim", "1.2.0", tarball)
    proc = _new(tmp_path, "trim", "npm:left-trim@1.2.0")
    assert proc.returncode == 0, proc.stderr
    assert f"pinned left-trim@1.2.0: integrity {sri_sha512(tarball)}" in proc.stdout
    assert "the tarball contains tests: test (1 test file)" in proc.stdout
    config = yaml.safe_load(
        (tmp_path / "suites" / "pkgs" / "scenarios" / "trim" / "scenario.yaml").read_text()
    )
    assert config["fixture"] == {"npm": "left-trim@1.2.0", "integrity": sri_sha512(tarball)}
    # The archive is in the cache, verified: fetching needs no download.
    fetched = _zebench(tmp_path, "fetch", "pkgs", "trim", "--suites-dir", "suites", "--json")
    assert fetched.returncode == 0, fetched.stderr
    assert _downloads(registries, "left-trim-1.2.0.tgz") == 1


def test_bad_or_missing_releases_are_one_line_and_write_nothing(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    for spec, message in (
        ("demo-lib>=1.0", "--from-package: expected an exact release, got 'demo-lib>=1.0'"),
        ("npm:left-pad@^1.3.0", "--from-package: expected an exact release"),
        ("no-such-lib==1.0", "--from-package: cannot download no-such-lib==1.0 from PyPI"),
    ):
        proc = _new(tmp_path, "broken", spec)
        assert proc.returncode == 2, proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), proc.stderr
        assert not (tmp_path / "suites" / "pkgs" / "scenarios" / "broken").exists()
    assert _new(tmp_path, "taken", "demo-lib==1.0.0").returncode == 0
    hits = len(registries.hits)
    proc = _new(tmp_path, "taken", "demo-lib==1.0.0")
    assert proc.returncode == 2 and "the scenario already exists" in proc.stderr
    assert len(registries.hits) == hits  # refused before any download
