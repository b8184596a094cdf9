"""The bench options of the tool-loop agents' context: prompt caching and the context budget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from zebench.agents.base import AgentOptions

PromptCacheOption = Annotated[
    bool,
    typer.Option(
        "--prompt-cache/--no-prompt-cache",
        help="Mark prompt-cache breakpoints (Anthropic; OpenAI and Gemini cache by themselves).",
    ),
]
ContextBudgetOption = Annotated[
    int | None,
    typer.Option(
        "--context-budget",
        min=1000,
        max=2_000_000,
        metavar="TOKENS",
        help="Trim old tool outputs once the context passes this many tokens (default: never).",
    ),
]


def context_options(prompt_cache: bool, context_budget: int | None) -> dict[str, object]:
    """The AgentOptions fields these flags set; defaults left out, so plans stay as they were."""
    options: dict[str, object] = {}
    if not prompt_cache:
        options["prompt_cache"] = False
    if context_budget is not None:
        options["context_budget"] = context_budget
    return options


def context_warning(agent: object, options: AgentOptions) -> str | None:
    """A line saying these options do nothing for ``agent``, or None when they apply or were not
    given: a flag that is silently ignored would read as if it had been applied."""
    if getattr(agent, "manages_context", False):
        return None
    given = [
        flag
        for flag, on in (
            ("--context-budget", options.context_budget is not None),
            ("--no-prompt-cache", not options.prompt_cache),
        )
        if on
    ]
    if not given:
        return None
    name = getattr(agent, "name", "this agent")
    return (
        f"{' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} only to the tool-loop agents "
        "(anthropic, openai, openrouter): "
        f"{name} ignores them (a CLI agent manages its own context and prompt cache)"
    )
