"""Specialist prompts: task detection, prompt selection, mustache, documentation ranking, model choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mint_helpers import LOADABLE, ORIGINAL_TEMPLATES, minimal_template, write_json

from zebench.errors import TemplateError
from zebench.mint.docs_filter import rank_documentation
from zebench.mint.mustache import MustacheError, render
from zebench.mint.prompt_selection import select_prompt
from zebench.mint.specialist import agent_for_model, build_specialist, preferred_model
from zebench.mint.task_detection import detect_task


@pytest.mark.parametrize("filename", LOADABLE)
def test_a_prompt_builds_from_every_loadable_original_template(filename: str) -> None:
    prompt = "Migrate this app from the Pages Router to the App Router"
    first = build_specialist(ORIGINAL_TEMPLATES / filename, prompt=prompt)
    again = build_specialist(ORIGINAL_TEMPLATES / filename, prompt=prompt)
    assert first == again  # deterministic
    assert first.task_type == "migration"
    assert (first.model, first.agent) == ("claude-sonnet-4.5", "anthropic")
    assert len(first.system_prompt) > 200
    assert "{{" not in first.system_prompt


def test_nextjs_prompt_follows_task_then_model() -> None:
    kwargs: dict[str, Any] = {"templates_dir": ORIGINAL_TEMPLATES}
    sonnet = build_specialist("nextjs", prompt="Migrate to the App Router", **kwargs)
    assert sonnet.prompt_source == "prompts.migration.model_specific.claude-sonnet-4.5"
    assert sonnet.system_prompt.startswith(
        "You are a Next.js App Router specialist powered by Claude Sonnet 4.5"
    )
    gpt = build_specialist("nextjs", prompt="Migrate to the App Router", model="openai/gpt-4o", **kwargs)
    assert (gpt.prompt_source, gpt.agent, gpt.model) == (
        "prompts.migration.default",
        "openrouter",
        "openai/gpt-4o",
    )
    plain = build_specialist("nextjs", prompt="hello there", model="gpt-4o", agent="echo", **kwargs)
    assert (plain.task_type, plain.prompt_source, plain.agent) == ("default", "prompts.default", "echo")


@pytest.mark.parametrize(
    ("prompt", "task"),
    [
        ("Set up a new Next.js app from scratch", "project_setup"),
        ("Create a Button component", "component_generation"),
        ("Migrate to the App Router", "migration"),
        ("Fix the failing login", "bug_fix"),
        ("Please refactor utils", "refactoring"),
        ("write tests for utils", "testing"),
        ("update docs for the API", "documentation"),
        ("hello", "default"),
    ],
)
def test_default_task_detection(prompt: str, task: str) -> None:
    assert detect_task(prompt) == task


def test_template_task_detection_replaces_the_defaults_in_its_priority() -> None:
    rules = {"patterns": {"api_design": ["/\\bendpoint\\b/i"], "perf": ["*LATENCY*"]}, "priority": ["perf"]}
    assert detect_task("reduce endpoint latency", rules) == "perf"
    assert detect_task("add an endpoint", rules) == "api_design"
    assert detect_task("fix the bug", rules) == "default"


PROMPTS: dict[str, Any] = {
    "default": {"spawnerPrompt": "DEFAULT", "project_setup": "ignored: not a prompt part"},
    "model_specific": {
        "claude-sonnet-4.5": {"spawnerPrompt": "MS-SONNET"},
        "gpt-4o": {"spawnerPrompt": "MS-GPT"},
    },
    "migration": {
        "default": {"systemPrompt": "MIG-DEFAULT"},
        "model_specific": {"claude-sonnet-4": {"systemPrompt": "MIG-SONNET4"}},
    },
    "bug_fix": {"systemPrompt": "FLAT", "contextPrompt": "CTX"},
    "testing": {"default": {}},
}


@pytest.mark.parametrize(
    ("task", "model", "text", "source"),
    [
        ("migration", "claude-sonnet-4", "MIG-SONNET4", "prompts.migration.model_specific.claude-sonnet-4"),
        (
            "migration",
            "anthropic/claude-sonnet-4.5",
            "MIG-SONNET4",
            "prompts.migration.model_specific.claude-sonnet-4",
        ),
        ("migration", "gpt-4o", "MIG-DEFAULT", "prompts.migration.default"),
        ("bug_fix", "gpt-4o", "FLAT\n\nCTX", "prompts.bug_fix"),
        ("testing", "gpt-4o", "MS-GPT", "prompts.model_specific.gpt-4o"),
        ("default", "openai/GPT-4o", "MS-GPT", "prompts.model_specific.gpt-4o"),
        ("default", "claude-sonnet-4.5-20250929", "MS-SONNET", "prompts.model_specific.claude-sonnet-4.5"),
        ("default", "llama-3", "DEFAULT", "prompts.default"),
        ("refactoring", None, "DEFAULT", "prompts.default"),
    ],
)
def test_prompt_selection(task: str, model: str | None, text: str, source: str) -> None:
    selected = select_prompt(PROMPTS, task, model)
    assert (selected.text, selected.source) == (text, source)


def test_mustache_rules() -> None:
    context = {
        "name": "N",
        "docs": [{"t": "A", "l": "x"}, {"t": "B"}],
        "tags": ["a", "b"],
        "obj": {"k": [1, 2]},
    }
    template = "{{name}}|{{#docs}}[{{t}}:{{l}}]{{/docs}}|{{^none}}empty{{/none}}|{{tags}}|{{obj.k[1]}}|{missing}|{{nope}}|{{! c }}"
    assert render(template, context) == "N|[A:x][B:]|empty|a, b|2|{missing}||"
    assert render("{{#obj}}{{k}}{{/obj}}", context) == "1, 2"
    with pytest.raises(MustacheError, match="unclosed section"):
        render("{{#docs}}x", context)


def test_unbalanced_sections_name_the_file_and_prompt(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "t.json5", minimal_template(prompts={"default": {"spawnerPrompt": "{{#a}}x"}})
    )
    with pytest.raises(TemplateError, match="unclosed section") as caught:
        build_specialist(path, prompt="hi")
    assert (caught.value.file, caught.value.field) == (str(path), "prompts.default")


def _doc(index: int, **fields: Any) -> dict[str, Any]:
    return {"type": "examples", "url": f"https://example.com/a{index}", "description": "misc", **fields}


RANKING_DOCS = [
    {
        "type": "official",
        "url": "https://react.dev/reference",
        "description": "React reference",
        "enrichment": {
            "summary": "Hooks and components",
            "relevant_for_tasks": ["component_generation"],
            "relevant_tech_stack": ["React", "Vue"],
            "relevant_tags": ["react-ui", "other"],
        },
    },
    {
        "type": "reference",
        "path": "docs/button.md",
        "description": "Button guide with Tailwind",
        "enrichment": {"summary": "Styling buttons", "relevant_tags": ["tailwind-buttons"]},
    },
    _doc(2),  # not enriched: never ranked
    *(_doc(i, enrichment={"summary": "misc"}) for i in range(3, 8)),
]


def test_documentation_ranking_matches_hand_computed_scores() -> None:
    template = minimal_template(documentation=RANKING_DOCS)
    prompt = "Create a new React button component with Tailwind"
    assert detect_task(prompt) == "component_generation"
    ranked = rank_documentation(template, "component_generation", prompt)
    # D0: task 10 + tech stack 5 + tag 3 + framework "react" 30 + tag keyword 25 + official 2 = 75
    # D1: component "button" 15 + tech "tailwind" 10 + tag keyword 25 + reference 1 = 51
    # D3..D7: examples 0.5 each; ties keep template order, top 5 overall
    assert [(d.index, d.relevance_score) for d in ranked] == [(0, 75), (1, 51), (3, 0.5), (4, 0.5), (5, 0.5)]


def test_system_prompt_gets_a_documentation_section(tmp_path: Path) -> None:
    path = write_json(tmp_path / "t.json5", minimal_template(documentation=RANKING_DOCS))
    built = build_specialist(path, prompt="Create a new React button component with Tailwind")
    assert built.system_prompt.startswith(
        "I am demo-specialist v1.0.0, expert in TypeScript, React.\n\n## Relevant Documentation\n"
    )
    assert built.docs_used == [
        "https://react.dev/reference",
        "docs/button.md",
        *(f"https://example.com/a{i}" for i in (3, 4, 5)),
    ]
    assert (
        "### React reference\nLink: https://react.dev/reference\n\nHooks and components"
        in built.system_prompt
    )


def test_preferred_model_and_agent_mapping() -> None:
    entries = [
        {"model": "meta/llama", "weight": 0.2},
        {"model": "claude-x", "weight": 0.9},
        {"model": "gpt-5", "weight": 1.0, "specialist_enabled": False},
    ]
    assert preferred_model({"preferred_models": entries}) == "claude-x"
    assert preferred_model({"preferred_models": [{"model": "a"}, {"model": "b"}]}) == "a"
    assert preferred_model({}) is None
    assert [agent_for_model(m) for m in ("anthropic/claude-3.5", "claude-sonnet-4.5", "gpt-4o")] == [
        "openrouter",
        "anthropic",
        "openrouter",
    ]


def test_no_model_anywhere_is_an_error(tmp_path: Path) -> None:
    path = write_json(tmp_path / "t.json5", minimal_template(preferred_models=[]))
    with pytest.raises(TemplateError, match="no model") as caught:
        build_specialist(path, prompt="hi")
    assert caught.value.field == "preferred_models"
    assert build_specialist(path, prompt="hi", agent="echo").model is None
