"""Tool environments: exact pins installed once into the cache, first on PATH for every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pkgkit import demo_yaml, sdist_sha256, write_scenario
from registries import LocalRegistries, serve

from zebench.errors import ZebenchError
from zebench.packages import cache_dir, scenario_runtime
from zebench.runner.pipeline import local_runner
from zebench.sandbox import create_runner, probe_bwrap
from zebench.scenarios.loader import load_scenario_dir

ZEBENCH = [sys.executable, "-m", "zebench"]


def _scenario(tmp_path: Path, environment: str):  # type: ignore[no-untyped-def]
    directory = write_scenario(tmp_path, f"name: tools\nenvironment: {environment}\n", patch=None)
    (directory / "repo-fixture").mkdir()
    (directory / "repo-fixture" / "x.txt").write_text("x\n")
    return load_scenario_dir(directory, "pkgs")


def _runners(scenario):  # type: ignore[no-untyped-def]
    yield "host", local_runner(scenario)
    if probe_bwrap().ok or os.environ.get("CI") == "true":
        yield "bwrap", create_runner("bwrap", scenario)


def test_python_pins_come_first_on_path_on_the_host_and_in_the_sandbox(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path, "{python: ['zbtool==1.0']}")
    runtime = scenario_runtime(scenario)
    venv = Path(runtime.env["VIRTUAL_ENV"])
    assert venv.is_relative_to(cache_dir() / "envs") and (venv / "zebench-freeze.txt").read_text().startswith(
        "zbtool==1.0"
    )
    installs = len(registries.hits)
    for label, runner in _runners(scenario):
        result = runner.run("zbtool && python -c 'import sys; print(sys.prefix)'", tmp_path / "pkgs")
        assert result.exit_code == 0, (label, result.stderr)
        assert result.stdout.splitlines() == [f"zbtool 1.0 from {venv}", str(venv)], label
    assert scenario_runtime(scenario) == runtime and len(registries.hits) == installs  # cached


def test_npm_pins_are_reached_through_node_path(registries: LocalRegistries, tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "{npm: ['demo-npm@2.0.0']}")
    for label, runner in _runners(scenario):
        result = runner.run("node -e \"console.log(require('demo-npm').x)\"", tmp_path)
        assert (result.exit_code, result.stdout.strip()) == (0, "42"), (label, result.stderr)


def test_a_pin_that_cannot_be_installed_is_one_line(registries: LocalRegistries, tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "{python: ['zbtool==9.9']}")
    with pytest.raises(ZebenchError) as caught:
        scenario_runtime(scenario)
    line = caught.value.one_line()
    assert line.startswith("environment: cannot install the Python tools zbtool==9.9") and "\n" not in line
    assert not [p for p in (cache_dir() / "envs").iterdir() if p.is_dir()]  # no half-built environment


def _cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ZEBENCH, *args, "--suites-dir", str(tmp_path / "suites")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fetch_then_bench_and_check_offline_from_the_cache(tmp_path: Path) -> None:
    """zebench fetch fills the cache; with the registries gone, bench and check still work."""
    from pkgkit import LIB_INIT, LIB_TEST
    from registries import sdist, wheel

    reg = LocalRegistries()
    name, data = sdist("demo-lib", "1.0.0", {"demo_lib/__init__.py": LIB_INIT, "tests/test_add.py": LIB_TEST,
                                             "README.txt": "demo lib\n"})  # fmt: skip
    reg.add_python("demo-lib", name, data)
    reg.add_python(
        "zbtool", *wheel("zbtool", "1.0", "zbtool", "def main():\n    print('ok')\n", script="zbtool")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "PIP_"))}
    env.update(ZEBENCH_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="200")
    with serve(reg):
        env.update(reg.env(tmp_path / "npm-cache"))
        write_scenario(
            tmp_path / "suites", demo_yaml(sdist_sha256(reg), "environment: {python: ['zbtool==1.0']}\n")
        )
        fetched = _cli(tmp_path, env, "fetch", "pkgs")
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        assert "pypi:demo-lib==1.0.0" in fetched.stdout and "ready" in fetched.stdout
    # The registries are gone now: everything must come from the cache.
    checked = _cli(tmp_path, env, "check", "pkgs", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proof = json.loads(checked.stdout)[0]
    assert proof["ok"] and proof["oracle"]["total_score"] == 1.0 and not proof["echo"]["is_successful"]
    echo = _cli(tmp_path, env, "bench", "pkgs", "demo", "--agent", "echo", "--json")
    run = json.loads(echo.stdout)
    assert echo.returncode == 1 and run["status"] == "completed" and not run["is_successful"]
    sandboxed = probe_bwrap().ok
    assert [c["network"] for c in run["validation"]] == [not sandboxed]  # a test command: offline in bwrap
