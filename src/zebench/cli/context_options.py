"""The bench options of the tool-loop agents' context: prompt caching and the context budget."""

from __future__ import annotations

from typing import Annotated

import typer

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
