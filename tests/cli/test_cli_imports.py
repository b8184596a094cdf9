"""How the CLI starts (issue 12: start-up); not timing tests, those are in benchmarks/startup.py.

Optional dependencies stay out of a run that does not use them: each is imported on first use, so
a bench with the echo agent, whose scenario has no judge, heuristics or dependency targets, must
finish without any of them (checked in ``sys.modules`` of the real CLI). And the entry point pauses
the garbage collector only while it imports the CLI.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zebench.cli import app, entry

# The CLI's own entry point, with sys.modules written out as the interpreter exits.
_RUN_CLI = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["zebench", *sys.argv[2:]]
from zebench.cli.entry import main
main()
"""

NOT_FOR_AN_ECHO_RUN = {
    "alembic": "the database is at head: no migration",
    "mako": "Alembic's templates",
    "pygments": "nothing is highlighted",
    "sqlalchemy.orm": "the store runs Core statements only",
    "sqlalchemy.dialects.postgresql": "the store is SQLite",
    "jsonschema": "the echo agent calls no tools",
    "jsonpath_ng": "no heuristic checks",
    "zebench.evaluators.builtin.llm_judge": "no judge",
    "zebench.llm.types": "no LLM agent, no judge",
    "zebench.llm.client": "no LLM agent, no judge",
    "anthropic": "no LLM agent, no judge",
    "openai": "no LLM agent, no judge",
    "zebench.gateway.gateway": "no agent needs a model gateway",
    "uvicorn": "no model gateway, no server",
    "httpx2": "no model gateway, no LLM client",
}


def _bench_modules(tmp_path: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZEBENCH_", "ZE_BENCHMARKS_"))}
    args = ["bench", "examples", "fix-failing-tests", "--agent", "echo", "--json"]
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_CLI, str(out), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 1, proc.stderr  # echo fails the scenario, as it should
    return set(json.loads(out.read_text()))


def test_an_echo_bench_imports_no_optional_dependency(tmp_path: Path) -> None:
    _bench_modules(tmp_path)  # the first bench creates and migrates the database
    modules = _bench_modules(tmp_path)
    assert "zebench.evaluators.builtin.tests" in modules  # the scenario's evaluators did run
    imported = {name: why for name, why in NOT_FOR_AN_ECHO_RUN.items() if name in modules}
    assert imported == {}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_command_runs_with_the_collector_as_it_was_and_startup_frozen(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def command(application: object = None) -> None:
        seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())

    monkeypatch.setattr(app, "main", command)
    was_enabled = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        entry.main()
    finally:
        gc.unfreeze()
        (gc.enable if was_enabled else gc.disable)()
    assert seen["enabled"] is enabled
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0


def test_a_command_line_builds_only_the_command_it_names() -> None:
    only = app.application_for(["zebench", "bench", "examples", "x"])
    assert [c.name for c in only.registered_commands] == ["bench"] and not only.registered_groups
    # Anything else (help, --version, a typo) gets the whole application, as `app` is.
    for argv in (["zebench"], ["zebench", "--help"], ["zebench", "--version"], ["zebench", "bnech"]):
        full = app.application_for(argv)
        names = [c.name for c in full.registered_commands] + [g.name for g in full.registered_groups]
        assert sorted(names) == sorted(name for name, _, _ in app.COMMANDS)


def test_help_lists_every_command_and_a_command_s_own_help_works(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "zebench"]
    listing = subprocess.run([*run, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert listing.returncode == 0
    assert all(name in listing.stdout for name, _, _ in app.COMMANDS)
    own = subprocess.run([*run, "bench", "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert own.returncode == 0 and "--skip-warmup" in own.stdout and "zebench bench" in own.stdout
    typo = subprocess.run([*run, "bnech"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert typo.returncode == 2 and "No such command" in typo.stderr
