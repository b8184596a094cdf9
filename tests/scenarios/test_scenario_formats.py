"""Both on-disk formats load into the same normalised Scenario."""

from __future__ import annotations

from pathlib import Path

from zebench.scenarios import ValidationCommand, load_scenario, load_scenario_dir

DESIGN_YAML = """\
id: some-other-id
name: Update Dependencies
description: Update npm packages to latest versions
tags: [npm, deps]
timeout_minutes: 15
success_threshold: 0.8
evaluators:
  - name: build
    weight: 0.4
  - name: typecheck
    weight: 0.3
  - name: lint
  - name: custom-check
    threshold: 3
  - name: integrity
validation_commands:
  - "npm install"
  - "npm run build"
  - {name: unit, command: "npx vitest run", timeout: 120}
  - {command: "echo done", kind: custom}
targets:
  required: [{name: typescript, to: ">=5.5 <6"}]
constraints: {blocklist: [{name: webpack, reason: pinned}]}
env: {NODE_ENV: test, PORT: 3000}
network: true
"""

ZE_YAML = """\
id: ZE_sample
suite: demo
title: "Sample ze scenario"
description: |
  Multi-line
  description.
timeout_minutes: 40
workspace:
  node: "18.20.x"
  manager: auto
  managers_allowed: [pnpm]
  workspaces: pnpm
baseline:
  run:
    - cmd: "pnpm install"
validation:
  commands:
    test: "pnpm test"
    install: "pnpm install"
    typecheck: "pnpm tsc --noEmit"
    build: "pnpm build"
    lint: "pnpm lint"
targets:
  required: [{name: nx, to: "~20.0"}]
  optional: [{name: eslint, to: "^9"}]
heuristic_checks:
  enabled: true
  files: [{name: has_app, path: app, weight: 2}]
llm_judge:
  enabled: true
  model: anthropic/claude-3.5-sonnet
  categories: ["Correctness (50%): ok. Score 1-5"]
"""


def test_design_format_normalises_every_field(make_scenario) -> None:
    directory = make_scenario(DESIGN_YAML, name="update-deps")
    scenario = load_scenario_dir(directory, "demo")

    assert scenario.format == "design"
    assert scenario.id == "update-deps"  # the folder name, not the file's id
    assert scenario.raw["id"] == "some-other-id"
    assert scenario.title == "Update Dependencies"
    assert scenario.tags == ["npm", "deps"]
    assert scenario.timeout_minutes == 15
    assert scenario.success_threshold == 0.8
    assert scenario.env == {"NODE_ENV": "test", "PORT": "3000"}
    assert scenario.network is True
    assert scenario.fixture_dir == directory / "repo-fixture"
    assert scenario.config_file == directory / "scenario.yaml"
    assert scenario.constraints["blocklist"][0]["name"] == "webpack"
    assert [t.name for t in scenario.targets.required] == ["typescript"]
    assert scenario.validation == [
        # network: true in the file, so every command may use it
        ValidationCommand(name="install", kind="install", command="npm install", timeout_s=600, network=True),
        ValidationCommand(name="build", kind="build", command="npm run build", timeout_s=600, network=True),
        ValidationCommand(name="unit", kind="test", command="npx vitest run", timeout_s=120, network=True),
        ValidationCommand(name="custom", kind="custom", command="echo done", timeout_s=600, network=True),
    ]
    specs = {e.name: e for e in scenario.evaluators}
    assert list(specs) == ["build", "typecheck", "lint", "custom-check", "integrity"]
    assert specs["build"].weight == 0.4
    assert specs["lint"].weight == 1.0  # default table
    assert specs["custom-check"].weight == 1.0 and specs["custom-check"].config == {"threshold": 3}
    assert specs["integrity"].required is True
    assert scenario.warnings == []


def test_design_without_name_uses_title_then_folder(make_scenario) -> None:
    directory = make_scenario("title: Nice title\nvalidation_commands: [pytest]\n", name="a")
    assert load_scenario_dir(directory, "demo").title == "Nice title"
    other = make_scenario("validation_commands: [pytest]\n", name="b")
    assert load_scenario_dir(other, "demo").title == "b"


def test_ze_format_normalises_every_field(make_scenario) -> None:
    directory = make_scenario(
        ZE_YAML,
        name="ze-one",
        prompts={"L0-minimal.md": "a", "L1-basic.md": "b"},
        suite_prompts=True,
    )
    scenario = load_scenario_dir(directory, "demo")

    assert scenario.format == "ze-benchmarks"
    assert scenario.id == "ze-one"
    assert scenario.raw["id"] == "ZE_sample"
    assert scenario.title == "Sample ze scenario"
    assert scenario.description == "Multi-line\ndescription.\n"
    assert scenario.timeout_minutes == 40
    assert [(c.name, c.kind) for c in scenario.validation] == [
        ("install", "install"),
        ("build", "build"),
        ("lint", "lint"),
        ("typecheck", "typecheck"),
        ("test", "test"),
    ]
    assert all(c.timeout_s == 600 for c in scenario.validation)  # timeout_minutes bounds the run
    assert scenario.targets.optional[0].to == "^9"
    assert scenario.heuristic_checks is not None and scenario.heuristic_checks.count == 1
    assert scenario.llm_judge is not None and scenario.llm_judge.model == "anthropic/claude-3.5-sonnet"
    assert scenario.prompt_dir == directory.parent.parent / "prompts" / "ze-one"
    assert scenario.tiers == ["L0", "L1"]
    assert [e.name for e in scenario.evaluators] == [
        "install",
        "build",
        "lint",
        "typecheck",
        "test",
        "heuristic_checks",
        "dependencies",
        "integrity",
        "llm_judge",
    ]
    assert scenario.warnings == []


def test_scenario_prompts_folder_wins_over_suite_prompts(make_scenario, suites_dir: Path) -> None:
    directory = make_scenario(ZE_YAML, name="both", prompts={"L2-own.md": "own"})
    shared = suites_dir / "demo" / "prompts" / "both"
    shared.mkdir(parents=True)
    (shared / "L1-shared.md").write_text("shared")
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.prompt_dir == directory / "prompts"
    assert scenario.tiers == ["L2"]


def test_ze_validation_not_required_means_no_commands(make_scenario) -> None:
    directory = make_scenario(
        "id: x\nvalidation:\n  required: false\n  commands: {test: pnpm test}\n",
    )
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.validation == []
    assert [e.name for e in scenario.evaluators] == ["integrity"]


def test_ze_heuristics_without_enabled_true_are_off(make_scenario) -> None:
    directory = make_scenario("id: x\nheuristic_checks:\n  files: [{name: f, path: a}]\n")
    scenario = load_scenario_dir(directory, "demo")
    assert scenario.heuristic_checks is not None and scenario.heuristic_checks.enabled is False
    assert "heuristic_checks" not in [e.name for e in scenario.evaluators]
    assert any("enabled: true" in w for w in scenario.warnings)


def test_scenario_yml_extension_is_found(make_scenario, suites_dir: Path) -> None:
    make_scenario("name: yml\n", config_name="scenario.yml", name="yml")
    assert load_scenario("demo", "yml", suites_dir).config_file.name == "scenario.yml"


def test_format_detection_defaults_to_design(make_scenario) -> None:
    directory = make_scenario("title: only a title\n")
    assert load_scenario_dir(directory, "demo").format == "design"
    ze = make_scenario("suite: demo\ntitle: t\n", name="ze")
    assert load_scenario_dir(ze, "demo").format == "ze-benchmarks"


def test_required_targets_make_dependencies_required_and_ze_checks_every_package(make_scenario) -> None:
    ze = load_scenario_dir(
        make_scenario(
            "id: x\nvalidation: {commands: {install: pnpm install}}\n"
            "targets: {required: [{name: nx, to: '~20.0'}]}\n",
            name="ze",
        ),
        "demo",
    )
    deps = next(e for e in ze.evaluators if e.name == "dependencies")
    assert deps.required and deps.config == {"every_package": True}
    assert ze.validation[0].network is True  # the original's install fetches packages
    design = load_scenario_dir(
        make_scenario(
            "name: x\nvalidation_commands: [pytest]\ntargets: {required: [{name: a, to: '>=1'}]}\n"
        ),
        "demo",
    )
    deps = next(e for e in design.evaluators if e.name == "dependencies")
    assert deps.required and deps.config == {}
    assert design.validation[0].network is False
