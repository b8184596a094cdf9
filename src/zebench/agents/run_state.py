"""The counters of one tool-loop run: turns, tokens, spend, retries, context trims."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from zebench.llm.types import LLMResponse
from zebench.results.models import CostKind, TokenUsage


@dataclass
class RunState:
    """Counters of one run; lives only inside ``run``."""

    started: float = field(default_factory=time.monotonic)
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost: float = 0.0
    cost_unknown: bool = False
    cost_kinds: set[str] = field(default_factory=set)
    turns: int = 0
    retries: int = 0
    last_text: str = ""
    served_model: str | None = None
    stop_reason: str | None = None
    cost_budget_warned: bool = False
    trims: int = 0  # times old tool outputs were trimmed (AgentOptions.context_budget)
    trimmed_tokens: int = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def add(self, response: LLMResponse) -> None:
        self.turns += 1
        self.usage = self.usage + response.usage
        if response.cost_usd is None:
            self.cost_unknown = True
        else:
            self.cost += response.cost_usd
            if response.cost_kind:
                self.cost_kinds.add(response.cost_kind)
        self.served_model = response.model or self.served_model
        self.stop_reason = response.stop_reason
        if response.text:
            self.last_text = response.text

    @property
    def cost_usd(self) -> float | None:
        return None if self.cost_unknown else round(self.cost, 6)

    @property
    def cost_kind(self) -> CostKind | None:
        if self.cost_unknown or not self.cost_kinds:
            return None
        return "measured" if self.cost_kinds == {"measured"} else "estimated"
