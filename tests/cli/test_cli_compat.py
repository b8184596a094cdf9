"""The original ze-benchmarks suites load and run unchanged (when ../shared/compat is present)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import CliRun, as_json

from compat_paths import COMPAT_SUITES as COMPAT

pytestmark = pytest.mark.skipif(not COMPAT.is_dir(), reason=f"{COMPAT} is not present")


def test_suites_lists_the_original_suites_with_their_tiers(zb: CliRun) -> None:
    rows = as_json(zb("suites", "--suites-dir", str(COMPAT), "--json", check=0))
    tiers = {(r["suite"], r["scenario"]): r["tiers"] for r in rows}
    assert tiers[("update-deps", "nx-pnpm-monorepo")] == ["L0", "L1", "L2", "L3", "Lx"]
    assert tiers[("next.js", "000-app-router-migration-simple")] == ["L3"]
    assert tiers[("next.js", "031-ai-sdk-migration-simple")] == ["L3"]
    assert all(r["error"] is None for r in rows)


@pytest.mark.parametrize(
    ("suite", "scenario"),
    [("update-deps", "nx-pnpm-monorepo"), ("next.js", "000-app-router-migration-simple")],
)
def test_a_bench_on_an_original_suite_runs_to_a_stored_result(
    zb: CliRun, tmp_path: Path, suite: str, scenario: str
) -> None:
    # --offline: tests talk only to 127.0.0.1, so pnpm's install must not reach the registry (the
    # real install runs in CI's scripts/ci_real_suites.sh). It fails at once, as it cannot fetch:
    # an empty cache, since a warm package store (from that script) would let it install offline.
    cache = str(tmp_path / "empty-cache")
    proc = zb(
        "bench", suite, scenario, "--suites-dir", str(COMPAT), "--json", "--offline", ZEBENCH_CACHE_DIR=cache
    )
    assert proc.returncode == 1, proc.stderr  # it cannot pass here, but it must not crash
    assert "Traceback" not in proc.stderr
    run = as_json(proc)
    assert run["status"] == "completed" and run["is_successful"] is False
    assert run["reason"]
    install = next(c for c in run["validation"] if c["kind"] == "install")
    summary = next(e["summary"] for e in run["evaluations"] if e["name"] == "install")
    if shutil.which("pnpm") is None:
        assert "command not found: pnpm" in summary
    else:
        assert install["exit_code"] not in (0, 127) and "OFFLINE" in install["stdout"] + install["stderr"]
    assert install["command"] == "pnpm install"
    assert all(c["network"] is False for c in run["validation"])  # --offline: not even install
    # The judge has no key here: it is skipped and does not count as a zero.
    judge = next(e for e in run["evaluations"] if e["name"] == "llm_judge")
    assert judge["status"] == "skipped" and judge["score"] is None
    stored = as_json(zb("run", run["run_id"], "--json", check=0))
    assert stored["run_id"] == run["run_id"] and stored["suite"] == suite
