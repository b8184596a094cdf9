"""A tiny user suite for runner and scale tests: N fixture files, one validation command."""

from __future__ import annotations

from pathlib import Path

SCENARIO_YAML = """\
name: {name}
description: a trivial scenario for runner tests
success_threshold: 0.5
validation_commands:
  - name: check
    kind: build
    command: '{command}'
    timeout: 60
evaluators:
  - name: build
    weight: 1
"""


def make_suite(
    root: Path, *, suite: str = "mini", scenarios: dict[str, str] | None = None, files: int = 3
) -> Path:
    """Write ``root/<suite>/scenarios/<id>/`` for each id → validation command; returns the suites dir."""
    for scenario_id, command in (scenarios or {"quick": "ls | wc -l"}).items():
        directory = root / suite / "scenarios" / scenario_id
        (directory / "prompts").mkdir(parents=True)
        (directory / "prompts" / "L1-basic.md").write_text(f"Do nothing in {scenario_id}.\n")
        (directory / "prompts" / "L0-minimal.md").write_text("Nothing.\n")
        fixture = directory / "repo-fixture"
        fixture.mkdir()
        for i in range(files):
            (fixture / f"f{i:02d}.txt").write_text(f"file {i}\n")
        (directory / "scenario.yaml").write_text(SCENARIO_YAML.format(name=scenario_id, command=command))
    return root
