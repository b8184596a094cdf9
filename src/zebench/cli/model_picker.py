"""The design's "interactive model search": pick an OpenRouter model when ``bench`` was given none.

Only at a terminal, only for a plain ``--agent openrouter`` run without ``--model``/``--models``,
a plan file, a resumed batch, a specialist (each of those decides the model itself) or ``--json``. Elsewhere
nothing changes: the agent's default model, as before. The list is what ``zebench models`` shows
(OpenRouter's catalogue, cached for an hour), narrowed to models that can call tools.

questionary's select, not a hand-written prompt: it filters as you type, moves with the arrow
keys, scrolls lists of hundreds of models, and is a small, well-kept layer over prompt_toolkit.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from zebench.cli.context import err_console
from zebench.errors import AgentConfigError

if TYPE_CHECKING:
    from zebench.llm.models import ModelInfo
    from zebench.runner.plan import ExperimentPlan

PICKER_AGENT = "openrouter"


def is_interactive() -> bool:
    """Whether a person can answer: standard input and output are both a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _label(model: ModelInfo) -> str:
    prices = ""
    if model.input_price_per_m is not None and model.output_price_per_m is not None:
        prices = f"  ${model.input_price_per_m:g} / ${model.output_price_per_m:g} per M tokens"
    name = f"  {model.name}" if model.name and model.name != model.id else ""
    return f"{model.id}{name}{prices}"


def _catalogue(base_url: str | None) -> list[ModelInfo]:
    from zebench.llm import list_models
    from zebench.llm.types import LLMUnavailableError

    try:
        with err_console.status("fetching OpenRouter's models…"):
            models = list_models("openrouter", base_url=base_url)
    except LLMUnavailableError as exc:
        raise AgentConfigError(
            f"cannot offer a model to choose: {exc}",
            field="--model",
            hint="pass --model (e.g. anthropic/claude-sonnet-4.6)",
        ) from None
    usable = [m for m in models if m.supports_tools is not False]
    if not usable:
        raise AgentConfigError(
            "OpenRouter lists no model that can call tools", field="--model", hint="pass --model"
        )
    return usable


def choose_model(base_url: str | None, default: str | None) -> str:
    """Ask for a model from OpenRouter's catalogue: type to filter, arrows to move, Enter to choose."""
    import questionary

    models = _catalogue(base_url)
    choices = [questionary.Choice(title=_label(m), value=m.id) for m in models]
    preselected = default if default in {m.id for m in models} else None
    question = questionary.select(
        f"OpenRouter model ({len(models)} with tools)",
        choices=choices,
        default=preselected,
        use_search_filter=True,
        use_jk_keys=False,  # j and k are letters of model names: they filter, not move
        instruction="(type to filter, ↑↓ to move, Enter to choose)",
    )
    try:
        answer = question.unsafe_ask()
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]: no model chosen, nothing ran")
        raise typer.Exit(130) from None
    return str(answer)


def with_picked_model(plan: ExperimentPlan) -> ExperimentPlan:
    """``plan`` with the model chosen at the terminal, when it is a plain openrouter run without one.

    The caller leaves out plans from files, specialist runs and ``--json``; without a terminal the
    plan is returned unchanged (the agent's default model, as before).
    """
    if plan.agents != [PICKER_AGENT] or plan.models != [None] or not is_interactive():
        return plan
    from zebench.agents import create_agent
    from zebench.agents.base import AgentOptions
    from zebench.agents.openai_compat import OpenRouterAgent

    base_url = plan.options.get("base_url")
    create_agent(PICKER_AGENT, AgentOptions(base_url=base_url))  # a missing key: one line, before asking
    chosen = choose_model(base_url, OpenRouterAgent.default_model)
    return plan.model_copy(update={"models": [chosen]})
