"""A wrong pin is the pin's problem: two scenarios share one cached archive, one pins it wrongly.

Driven as a user meets it: ``zebench fetch`` and ``zebench bench`` in a subprocess, pip and npm
downloading from the local registries on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pkgkit import demo_yaml, sdist_sha256, write_scenario
from registries import LocalRegistries

WRONG = "0" * 64


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


def _downloads(reg: LocalRegistries) -> int:
    return sum(path.startswith("/files/") and path.endswith(".tar.gz") for path in reg.hits)


def _two_scenarios(tmp_path: Path, reg: LocalRegistries) -> tuple[Path, Path]:
    good = write_scenario(tmp_path / "suites", demo_yaml(sdist_sha256(reg)), name="good")
    bad = write_scenario(tmp_path / "suites", demo_yaml(WRONG), name="bad")
    return good, bad


def test_a_wrong_pin_leaves_the_right_cached_archive_in_place(
    registries: LocalRegistries, tmp_path: Path
) -> None:
    good, bad = _two_scenarios(tmp_path, registries)
    right = sdist_sha256(registries)
    proc = _zebench(tmp_path, "fetch", "pkgs", "good", "--suites-dir", "suites")
    assert proc.returncode == 0, proc.stderr
    archive = next(Path(os.environ["ZEBENCH_CACHE_DIR"]).rglob("demo-lib-1.0.0.tar.gz"))
    before = archive.read_bytes()

    proc = _zebench(tmp_path, "fetch", "pkgs", "bad", "--suites-dir", "suites")
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    line = errors[0]
    assert line.startswith(
        f"error: {bad / 'scenario.yaml'}: fixture.sha256: demo-lib==1.0.0 is pinned to {WRONG}"
    )
    assert f"verified against {good / 'scenario.yaml'}) has {right}" in line  # the actual digest
    assert "correct the pin" in line and "the cached file was kept" in line
    assert "Traceback" not in proc.stderr
    # The cached archive stays, untouched and in use: no .rejected, no second download.
    assert archive.read_bytes() == before
    assert not list(archive.parent.glob("*.rejected"))
    shutil.rmtree(archive.parents[3] / "fixtures")  # force the next run to unpack the archive again
    proc = _zebench(
        tmp_path, "bench", "pkgs", "good", "--agent", "oracle", "--suites-dir", "suites", "--sandbox", "none"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _downloads(registries) == 1


def test_fetching_both_orders_keeps_the_right_file(registries: LocalRegistries, tmp_path: Path) -> None:
    _two_scenarios(tmp_path, registries)
    folder = Path(os.environ["ZEBENCH_CACHE_DIR"]) / "downloads" / "pypi" / "demo-lib-1.0.0"
    # "bad" comes first: its download fails the pin and is set aside; "good" then downloads and caches.
    proc = _zebench(tmp_path, "fetch", "pkgs", "--suites-dir", "suites", "--json")
    assert proc.returncode == 2
    rows = {row["scenario"]: row for row in json.loads(proc.stdout)["scenarios"]}
    assert "the downloaded demo-lib-1.0.0.tar.gz has" in rows["bad"]["error"]
    assert rows["good"]["error"] is None and "seconds" in rows["good"]
    names = ["demo-lib-1.0.0.tar.gz", "demo-lib-1.0.0.tar.gz.rejected", "demo-lib-1.0.0.tar.gz.verified"]
    assert sorted(p.name for p in folder.iterdir()) == names
    # Again: "bad" now meets the cached, correct archive and leaves it; "good" is ready from the cache.
    proc = _zebench(tmp_path, "fetch", "pkgs", "--suites-dir", "suites", "--json")
    assert proc.returncode == 2
    rows = {row["scenario"]: row for row in json.loads(proc.stdout)["scenarios"]}
    assert "the cached file was kept" in rows["bad"]["error"]
    assert rows["good"]["error"] is None
    assert sorted(p.name for p in folder.iterdir()) == names
    assert _downloads(registries) == 2
