"""Turning a run into a specialist run: the template decides the system prompt, agent and model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from zebench.runner.pipeline import RunSpec
from zebench.scenarios import resolve_prompt


def apply_specialist(
    spec: RunSpec,
    template: str | Path,
    *,
    templates_dir: Path | None = None,
    agent_override: str | None = None,
    model_override: str | None = None,
) -> RunSpec:
    """A copy of ``spec`` that runs as the specialist ``template``.

    The system prompt is built deterministically from the template for this run's own prompt (its
    task type decides which template prompt applies), so runs of a matrix each get the right one.
    ``agent_override``/``model_override`` (the user's --agent/--model) win over the template's
    preferred models. No LLM is called.
    """
    from zebench.mint import build_specialist

    prompt = resolve_prompt(spec.scenario, spec.tier).text
    built = build_specialist(
        template,
        prompt=prompt,
        model=model_override or spec.options.model,
        agent=agent_override,
        templates_dir=templates_dir,
    )
    options = spec.options.model_copy(update={"model": built.model})
    metadata = {
        **spec.metadata,
        "specialist": {
            "template": built.template_path,
            "source": built.source_path,
            "enriched": built.enriched,
            "task_type": built.task_type,
            "prompt_source": built.prompt_source,
            "docs_used": built.docs_used,
        },
    }
    return dataclasses.replace(
        spec,
        agent=built.agent or spec.agent,
        options=options,
        system_prompt=built.system_prompt,
        specialist_name=built.name,
        specialist_version=built.version,
        metadata=metadata,
    )
