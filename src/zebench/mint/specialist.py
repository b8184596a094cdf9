"""Building a specialist's system prompt: task detection, prompt selection, mustache, documentation. No LLM calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from zebench.errors import TemplateError
from zebench.mint.docs_filter import documentation_section, rank_documentation
from zebench.mint.mustache import MustacheError, render
from zebench.mint.prompt_selection import select_prompt
from zebench.mint.task_detection import detect_task
from zebench.mint.templates import Template, load_template


class SpecialistPrompt(BaseModel):
    """Everything a specialist run needs: what to tell the agent, and which agent and model to use."""

    name: str
    version: str
    system_prompt: str
    task_type: str
    agent: str | None
    model: str | None
    docs_used: list[str]  # links of the documents in the prompt, best first
    prompt_source: str  # the template key the prompt came from
    template_path: str
    source_path: str  # the enriched file when one was used
    enriched: bool


def agent_for_model(model: str) -> str:
    """The agent that serves ``model``: ``vendor/model`` ids are OpenRouter's, ``claude-*`` Anthropic's.

    Anything else also goes to OpenRouter, which routes most models by their bare name.
    """
    if "/" in model:
        return "openrouter"
    if model.lower().startswith("claude-"):
        return "anthropic"
    return "openrouter"


def preferred_model(template: dict[str, Any]) -> str | None:
    """The template's first choice: highest ``weight`` first (absent = 0), file order among equals.

    Entries marked ``specialist_enabled: false`` are baseline models and never picked.
    """
    entries = [
        (index, entry)
        for index, entry in enumerate(template.get("preferred_models") or [])
        if isinstance(entry, dict)
        and entry.get("model")
        and entry.get("specialist_enabled", True) is not False
    ]
    if not entries:
        return None
    entries.sort(key=lambda item: (-float(item[1].get("weight") or 0.0), item[0]))
    return str(entries[0][1]["model"])


def _context(
    template: dict[str, Any], *, task_type: str, prompt: str, model: str | None, docs: list[Any]
) -> dict[str, Any]:
    persona = template.get("persona") or {}
    capabilities = template.get("capabilities") or {}
    return {
        "name": template.get("name"),
        "displayName": template.get("displayName"),
        "version": template.get("version"),
        "persona": persona,
        "capabilities": capabilities,
        "task_type": task_type,
        "user_prompt": prompt,
        "model": model,
        "documentation": docs,
        "tech_stack": ", ".join(map(str, persona.get("tech_stack") or [])),
        "values": ", ".join(map(str, persona.get("values") or [])),
        "tags": ", ".join(map(str, capabilities.get("tags") or [])),
    }


def system_prompt_for(
    template: Template, *, prompt: str, model: str | None
) -> tuple[str, str, str, list[str]]:
    """``(system_prompt, task_type, prompt_source, doc_links)`` for a loaded template."""
    data = template.data
    task_type = detect_task(prompt, data.get("task_detection"))
    selected = select_prompt(data["prompts"], task_type, model)
    docs = rank_documentation(data, task_type, prompt)
    context = _context(
        data, task_type=task_type, prompt=prompt, model=model, docs=[d.model_dump() for d in docs]
    )
    try:
        text = render(selected.text, context).strip()
    except MustacheError as exc:
        raise TemplateError(
            str(exc),
            file=template.source_path,
            field=selected.source,
            hint="balance the {{#…}} / {{/…}} tags",
        ) from exc
    section = documentation_section(docs)
    system_prompt = f"{text}\n\n{section}" if section else f"{text}\n"
    return system_prompt, task_type, selected.source, [d.link for d in docs]


def build_specialist(
    template_path_or_name: str | Path,
    *,
    prompt: str,
    model: str | None = None,
    templates_dir: Path | None = None,
    agent: str | None = None,
) -> SpecialistPrompt:
    """Load the template (its newest enriched version if any) and build the run's system prompt.

    ``model`` and ``agent`` override the template's ``preferred_models``; without them the
    preferred model is used and the agent follows from it (:func:`agent_for_model`).
    """
    template = load_template(template_path_or_name, templates_dir=templates_dir)
    chosen_model = model or preferred_model(template.data)
    if chosen_model is None and agent is None:
        raise TemplateError(
            "no model to run the specialist with",
            file=template.path,
            field="preferred_models",
            hint="add preferred_models to the template, or pass --model",
        )
    chosen_agent = agent or (agent_for_model(chosen_model) if chosen_model else None)
    system_prompt, task_type, source, links = system_prompt_for(template, prompt=prompt, model=chosen_model)
    return SpecialistPrompt(
        name=template.name,
        version=template.version,
        system_prompt=system_prompt,
        task_type=task_type,
        agent=chosen_agent,
        model=chosen_model,
        docs_used=links,
        prompt_source=source,
        template_path=str(template.path),
        source_path=str(template.source_path),
        enriched=template.enriched,
    )
