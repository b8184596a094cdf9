"""Loading, inheritance, schema validation, name lookup and enriched-version resolution."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from mint_helpers import LOADABLE, ORIGINAL_TEMPLATES, minimal_template, write_json
from typer.testing import CliRunner

from zebench.errors import TemplateError
from zebench.mint.inheritance import deep_merge
from zebench.mint.schema import TemplateValidationError, schema_issues
from zebench.mint.templates import find_template, load_template, newest_enriched, validate_template


@pytest.mark.parametrize("filename", LOADABLE)
def test_the_originals_five_real_templates_load(filename: str) -> None:
    template = load_template(ORIGINAL_TEMPLATES / filename)
    assert template.name == filename.removesuffix("-template.jsonc")
    assert template.version == "0.0.1"
    assert not template.enriched
    assert "$schema" in template.data  # accepted, not stripped


def test_qa_template_fails_naming_the_child_file_and_the_missing_parent() -> None:
    path = ORIGINAL_TEMPLATES / "qa-backend-engineer.jsonc"
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    error = caught.value
    assert error.file == str(path)
    assert error.field == "from"
    assert "'@quality-assurance/base' not found" in error.message
    assert "personas/@quality-assurance/base.jsonc" in error.message


def test_qa_template_loads_once_its_scoped_parent_exists(originals: Path) -> None:
    parent = {"license": "Apache-2.0", "persona": {"purpose": "parent purpose", "values": ["a", "b", "c"]}}
    write_json(originals / "personas" / "@quality-assurance" / "base.jsonc", parent)
    template = load_template(originals / "qa-backend-engineer.jsonc")
    assert "from" not in template.data
    assert template.data["license"] == "MIT"  # the child's scalar wins
    assert template.data["persona"]["purpose"].startswith("Ensure high-quality")
    assert len(template.data["persona"]["values"]) == 9  # arrays replace, never concatenate
    assert template.data["prompt_strategy"]["fallback"] == "default"  # top-level prompt_strategy is accepted
    assert template.data["spawnable_sub_agent_specialists"][0] == "api-contract-testing-specialist"


def test_deep_merge_rules() -> None:
    parent = {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": "keep"}
    child = {"a": {"y": [3], "z": None}, "b": None}
    assert deep_merge(parent, child) == {"a": {"x": 1, "y": [3], "z": None}, "b": None, "c": "keep"}


def test_relative_from_resolves_against_the_child_and_merges_chains(tmp_path: Path) -> None:
    base = minimal_template(name="base", capabilities={"tags": ["base-tag"], "descriptions": {}})
    write_json(tmp_path / "shared" / "base.json5", base)
    write_json(tmp_path / "shared" / "mid.json5", {"from": "./base.json5", "license": "MIT"})
    child = tmp_path / "team" / "child.jsonc"
    child.parent.mkdir()
    child.write_text('// a comment\n{"from": "../shared/mid", "name": "child", "version": "2.0.0",}\n')
    template = load_template(child)
    assert (template.name, template.version, template.data["license"]) == ("child", "2.0.0", "MIT")
    assert template.data["capabilities"]["tags"] == ["base-tag"]


def test_inheritance_cycles_are_reported(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json5", {**minimal_template(), "from": "b.json5"})
    write_json(tmp_path / "b.json5", {"from": "a.json5"})
    with pytest.raises(TemplateError, match="inheritance cycle") as caught:
        load_template(tmp_path / "a.json5")
    assert caught.value.field == "from"


def test_every_schema_error_is_listed_by_json_path(tmp_path: Path) -> None:
    data = minimal_template(
        bogus=1,
        availability="sometimes",
        documentation=[
            {"type": "official", "description": "neither"},
            {"type": "official", "description": "both", "url": "https://x.dev", "path": "a.md"},
        ],
    )
    data["persona"]["values"] = []
    data["capabilities"]["tags"] = ["bad tag"]
    del data["prompts"]["default"]
    data["preferred_models"] = [{"model": "m", "weight": 2}]
    issues = {(i.path, i.message) for i in schema_issues(data)}
    paths = {path for path, _ in issues}
    assert paths == {
        "$.bogus",
        "$.availability",
        "$.documentation[0]",
        "$.documentation[1]",
        "$.persona.values",
        "$.capabilities.tags[0]",
        "$.prompts.default",
        "$.preferred_models[0].weight",
    }
    assert ("$.prompts.default", "required field is missing") in issues
    assert ("$.persona.values", "needs at least 1 item(s)") in issues
    assert ("$.documentation[0]", "needs a url or a path (exactly one of them)") in issues
    assert ("$.documentation[1]", "has both url and path (exactly one of them)") in issues
    path = write_json(tmp_path / "bad.json5", data)
    with pytest.raises(TemplateValidationError) as caught:
        load_template(path)
    assert len(caught.value.issues) == 8
    assert caught.value.file == str(path)


def test_prompt_strategy_inside_prompts_is_optional_and_llm_config_accepted() -> None:
    data = minimal_template(llm_config={"enabled": False}, task_detection={"patterns": {"x": ["/a/i"]}})
    assert schema_issues(data) == []


def test_syntax_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonc"
    path.write_text('{"name": "x",, }')
    with pytest.raises(TemplateError, match="not valid JSON5") as caught:
        load_template(path)
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("nextjs-specialist", "nextjs-specialist-template.jsonc"),
        ("nextjs", "nextjs-specialist-template.jsonc"),
        ("qa-backend-engineer", "qa-backend-engineer.jsonc"),
        ("qa-api-specialist", "qa-backend-engineer.jsonc"),  # by the name field
        ("@acme/shadcn-specialist", "shadcn-specialist-template.jsonc"),
    ],
)
def test_names_resolve_in_the_templates_folder(ref: str, expected: str) -> None:
    assert find_template(ref, ORIGINAL_TEMPLATES).name == expected


def test_unknown_name_lists_the_available_templates() -> None:
    with pytest.raises(TemplateError, match="no template named 'nope'") as caught:
        find_template("nope", ORIGINAL_TEMPLATES)
    assert caught.value.file == str(ORIGINAL_TEMPLATES)
    assert "nextjs-specialist" in (caught.value.hint or "")
    assert "--templates-dir" in (caught.value.hint or "")


def _named(folder: Path, filename: str, name: str) -> Path:
    return write_json(folder / filename, minimal_template(name=name))


def test_a_scoped_name_resolves_by_the_name_field_not_the_file_name(tmp_path: Path) -> None:
    wanted = _named(tmp_path, "whatever.json5", "@org/my-specialist")
    _named(tmp_path, "my-specialist.json5", "@other/my-specialist")  # same slug, another scope
    assert find_template("@org/my-specialist", tmp_path) == wanted
    assert find_template("@other/my-specialist", tmp_path) == tmp_path / "my-specialist.json5"
    with pytest.raises(TemplateError, match="2 templates are named 'my-specialist'"):
        find_template("my-specialist", tmp_path)  # unscoped: both match, neither is picked silently


def test_two_templates_with_one_name_are_an_error_naming_the_folder(tmp_path: Path) -> None:
    _named(tmp_path, "a.json5", "@org/my-specialist")
    _named(tmp_path, "my-specialist.jsonc", "@org/my-specialist")
    with pytest.raises(TemplateError) as caught:
        find_template("@org/my-specialist", tmp_path)
    line = caught.value.one_line()
    assert line.startswith(
        f"{tmp_path}: name: 2 templates are named '@org/my-specialist': a.json5, my-specialist.jsonc"
    )
    assert "give each template a name of its own, or pass the template's path" in line
    assert find_template(str(tmp_path / "a.json5"), tmp_path) == tmp_path / "a.json5"  # a path still works


def test_the_templates_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = _named(tmp_path / "mine", "t.json5", "@org/env-specialist")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TemplateError, match="the templates folder does not exist") as caught:
        find_template("@org/env-specialist")
    assert caught.value.file == "templates"
    monkeypatch.setenv("ZEBENCH_TEMPLATES_DIR", str(tmp_path / "mine"))
    assert find_template("@org/env-specialist") == wanted
    assert load_template("@org/env-specialist").name == "@org/env-specialist"


def test_a_missing_template_path_is_not_looked_up_as_a_name(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="template file not found") as caught:
        find_template("templates/nope.json5", tmp_path)
    assert caught.value.file == "templates/nope.json5"


def test_newest_enriched_version_wins_across_both_layouts(tmp_path: Path) -> None:
    path = write_json(tmp_path / "demo-specialist.json5", minimal_template())
    data = minimal_template()
    assert newest_enriched(path, data) is None
    ours = tmp_path / "demo-specialist" / "enriched"
    write_json(ours / "1.0.0" / "enriched-001.json5", minimal_template(displayName="ours 1.0.0/1"))
    write_json(ours / "1.0.0" / "enriched-002.json5", minimal_template(displayName="ours 1.0.0/2"))
    write_json(ours / "0.9.0" / "enriched-009.json5", minimal_template(displayName="stale"))
    assert newest_enriched(path, data) == ours / "1.0.0" / "enriched-002.json5"
    original = tmp_path / "enriched" / "1.0.1" / "demo-specialist.enriched.001.json5"
    write_json(original, minimal_template(version="1.0.1", displayName="original layout"))
    assert newest_enriched(path, data) == original  # a higher version folder beats a higher NNN
    loaded = load_template(path)
    assert (loaded.enriched, loaded.source_path, loaded.version) == (True, original, "1.0.1")
    assert loaded.base_dir == tmp_path
    assert load_template(path, use_enriched=False).source_path == path


def test_validate_command_prints_every_error(tmp_path: Path, cli: typer.Typer, runner: CliRunner) -> None:
    data = minimal_template(bogus=True)
    data["persona"]["tech_stack"] = []
    path = write_json(tmp_path / "t.json5", data)
    result = runner.invoke(cli, ["mint", "validate", str(path)])
    assert result.exit_code == 2
    assert "$.bogus: unknown field" in result.output
    assert "$.persona.tech_stack: needs at least 1 item(s)" in result.output


def test_validate_command_json_prints_the_resolved_template(cli: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["mint", "validate", "nextjs", "--templates-dir", str(ORIGINAL_TEMPLATES), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["name"] == "nextjs-specialist"


def test_validate_reports_the_enriched_version(tmp_path: Path, cli: typer.Typer, runner: CliRunner) -> None:
    path = write_json(tmp_path / "demo.json5", minimal_template())
    write_json(tmp_path / "demo-specialist" / "enriched" / "1.0.0" / "enriched-001.json5", minimal_template())
    report = validate_template(path)
    assert report.ok
    assert report.enriched_path is not None
    result = runner.invoke(cli, ["mint", "validate", str(path)])
    assert result.exit_code == 0
    assert "enriched-001.json5" in result.output.replace("\n", "")


def test_schema_files_agree() -> None:
    """The snapshot schema repeats every template definition (it is generated from it)."""
    root = Path(__file__).resolve().parents[2] / "src" / "zebench" / "mint" / "schemas"
    template = json.loads((root / "template.schema.json").read_text())
    snapshot = json.loads((root / "snapshot.schema.json").read_text())
    for key, definition in template["$defs"].items():
        assert snapshot["$defs"][key] == definition, key
    for key, prop in template["properties"].items():
        if key != "benchmarks":
            assert snapshot["properties"][key] == prop, key
    assert os.path.basename(template["$schema"]) == "schema"
