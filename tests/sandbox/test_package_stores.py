"""Package stores shared by a scenario's runs: warm for every run, written only by the control."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sandboxkit import require_bwrap

from zebench.runner.warmup import run_warmup
from zebench.sandbox import BwrapCommandRunner, create_runner
from zebench.sandbox.stores import STORE_ENV, PackageStores
from zebench.scenarios.model import Scenario, ValidationCommand


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    require_bwrap()


def _runner(shared: Path) -> BwrapCommandRunner:
    return BwrapCommandRunner(stores=PackageStores(shared))


def test_each_phase_works_on_a_private_copy_and_nothing_reaches_the_shared_stores(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "pip").mkdir(parents=True)
    (shared / "pip" / "wheel.whl").write_text("published by a control\n")
    runner = _runner(shared)
    try:
        agent = runner.run(
            'cat "$PIP_CACHE_DIR/wheel.whl"; echo planted > "$PIP_CACHE_DIR/planted"', tmp_path
        )
        runner.prepare_next(tmp_path, commands=1)
        runner.next_phase()
        one_off = runner.run('ls "$PIP_CACHE_DIR"; echo again > "$PIP_CACHE_DIR/planted2"', tmp_path)
    finally:
        runner.close(wait=True)
    assert agent.exit_code == 0 and agent.stdout == "published by a control\n"
    assert one_off.exit_code == 0 and one_off.stdout == "wheel.whl\n"  # the agent's write stayed behind
    assert sorted(p.name for p in (shared / "pip").iterdir()) == ["wheel.whl"]  # never written back


def test_every_tool_is_pointed_at_the_copy(tmp_path: Path) -> None:
    runner = _runner(tmp_path / "shared")
    try:
        names = " ".join(f'"${name}"' for name in STORE_ENV)
        result = runner.run(f"for d in {names}; do mkdir -p $d && touch $d/x && echo ok; done", tmp_path)
    finally:
        runner.close(wait=True)
    assert result.exit_code == 0 and result.stdout == "ok\n" * len(STORE_ENV)


def test_publishing_keeps_plain_files_only(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    secret = tmp_path / "host-secret"
    secret.write_text("host secret\n")
    runner = _runner(shared)
    try:
        result = runner.run(
            'cd "$PIP_CACHE_DIR/.." && mkdir -p pip npm && echo wheel > pip/a.whl && chmod +x pip/a.whl'
            f" && ln -s {secret} pip/link && mkfifo npm/fifo && echo one > npm/x && ln npm/x npm/hard",
            tmp_path,
        )
        assert result.exit_code == 0, result.stderr
        runner.publish_stores()
    finally:
        runner.close(wait=True)
    published = sorted(str(p.relative_to(shared)) for p in shared.rglob("*") if not p.is_dir())
    assert published == ["pip/a.whl"]  # no symlink, no FIFO, no hard-linked pair
    assert (shared / "pip" / "a.whl").read_text() == "wheel\n" and os.access(
        shared / "pip" / "a.whl", os.X_OK
    )
    assert not any(p.is_symlink() for p in shared.rglob("*"))


def _installing_scenario(root: Path, install: str, check: str) -> Scenario:
    fixture = root / "fixture"
    fixture.mkdir(parents=True)
    (fixture / "app.txt").write_text("app\n")
    return Scenario(
        id="installs",
        suite="stores",
        title="installs packages",
        format="design",
        directory=root,
        config_file=root / "scenario.yaml",
        fixture_dir=fixture,
        validation=[
            ValidationCommand(name="install", kind="install", command=install, network=False),
            ValidationCommand(name="check", kind="test", command=check),
        ],
    )


def test_the_control_fills_the_stores_and_later_runs_start_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    scenario = _installing_scenario(
        tmp_path / "scenario",
        install='test -e "$PIP_CACHE_DIR/pkg.whl" || echo downloaded > "$PIP_CACHE_DIR/pkg.whl"',
        check='cat "$PIP_CACHE_DIR/pkg.whl"',
    )
    control = run_warmup(scenario, tmp_path / "ws", create_runner("bwrap", scenario))
    assert control.passed, control.commands
    shared = PackageStores.for_scenario(scenario.suite, scenario.id).shared
    assert (shared / "pip" / "pkg.whl").read_text() == "downloaded\n"
    # A run finds the package the control fetched; what the run itself writes is not kept.
    runner = create_runner("bwrap", scenario)
    try:
        warm = runner.run('ls "$PIP_CACHE_DIR"; echo mine > "$PIP_CACHE_DIR/run.whl"', tmp_path)
    finally:
        runner.close(wait=True)  # type: ignore[attr-defined]
    assert warm.stdout == "pkg.whl\n"
    assert sorted(p.name for p in (shared / "pip").iterdir()) == ["pkg.whl"]


def test_a_scenario_without_an_install_command_gets_no_stores(tmp_path: Path) -> None:
    scenario = _installing_scenario(tmp_path, install="true", check="true")
    scenario = scenario.model_copy(update={"validation": scenario.validation[1:]})
    runner = create_runner("bwrap", scenario)
    assert isinstance(runner, BwrapCommandRunner) and runner.stores is None
    assert "PIP_CACHE_DIR" not in runner.environment(tmp_path)
