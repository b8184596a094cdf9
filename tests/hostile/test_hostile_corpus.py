"""The hostile-agent corpus under bubblewrap: nothing an agent leaves behind runs, hangs or leaks.

For every probe (``probes.py``): no marker appears on the host, no canary appears in the store,
the CLI's output, the trajectory or the diff, the harness finishes within a bounded time, no
process of the agent survives, the host folders are untouched, and the run is stored with a clear
status and reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hostile_kit import RUN_TIMEOUT_S, Canaries, plant_canaries, run_probe, write_suite
from probes import PROBES, Probe

from zebench.sandbox import probe_bwrap
from zebench.sandbox.detect import running_in_ci

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _bwrap() -> None:
    probe = probe_bwrap()
    if probe.ok:
        return
    if running_in_ci():
        pytest.fail(f"CI=true but the sandbox does not work: {probe.reason}")
    pytest.skip(f"bubblewrap does not work here: {probe.reason}")


def _surviving(tag: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if tag in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


def _host_state(canaries: Canaries) -> dict[str, bytes]:
    return {
        str(p.relative_to(canaries.host_dir.parent)): p.read_bytes()
        for folder in (canaries.host_dir, canaries.host_repo)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_probe_cannot_escape(tmp_path: Path, probe: Probe) -> None:
    canaries = plant_canaries(tmp_path)
    suites = write_suite(tmp_path, canaries)
    before = _host_state(canaries)
    commands = [
        c.format(marker=canaries.marker, host_dir=canaries.host_dir, host_repo=canaries.host_repo)
        for c in probe.commands
    ]
    outcome = run_probe(tmp_path, suites, canaries, commands)

    # No host-side execution, no writes to host folders, nothing left running.
    assert sorted(os.listdir(canaries.marker)) == [], "code ran on the host"
    assert _host_state(canaries) == before, "a host file changed"
    assert _surviving("zebench-survivor-tag") == []
    # Bounded: well inside the run's own timeout.
    assert outcome.seconds < RUN_TIMEOUT_S
    # Stored, with a clear status and reason; never a harness crash.
    run = outcome.run
    assert run["status"] in ("completed", "failed"), run["reason"]
    assert not (run["reason"] or "").startswith(("harness error", "run ended unexpectedly")), run["reason"]
    if probe.reason is None:
        assert run["status"] == "completed", run["reason"]
    else:
        assert re.search(probe.reason, run["reason"] or ""), run["reason"]
        assert run["validation"], "validation must still run"
    changed = {c["path"] for c in run["changed_files"]}
    assert set(probe.changed) <= changed, changed
    # No canary anywhere: the stored run, every artifact (trajectory, diff, logs), the CLI's output.
    stored = repr(run) + outcome.artifacts + outcome.output
    for name, value in canaries.values().items():
        assert value not in stored, f"the {name} canary leaked"
    assert "VALUE = 2" in outcome.artifacts, "the agent's real change is missing from the diff"
    workspaces = tmp_path / "workspaces"
    left = [p for p in workspaces.rglob("*") if p.parent in (workspaces, workspaces / ".harness")]
    assert [p for p in left if p.name != ".harness"] == [], "the workspace was left behind"
