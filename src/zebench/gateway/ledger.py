"""The gateway's ledger: every call of the run, its spend, and the run's budgets."""

from __future__ import annotations

import threading
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.model_calls import ModelCall, ModelUsage, sum_usage
from zebench.results.models import CostKind

# Calls that never reached a model: they count towards no budget.
_NOT_SENT = ("budget", "refused", "replay")


class Budgets(BaseModel):
    """Limits on one run's model use, enforced at the gateway. None: unlimited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_tokens_total: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, ge=0)
    time_limit_s: float | None = Field(default=None, gt=0)
    max_calls: int | None = Field(default=None, ge=1)


class GatewayVerdict(BaseModel):
    """What the gateway says about how the run's model use ended, when it has something to say.

    ``budget_exceeded``: a budget was spent (a call was refused, or the last call went over it);
    ``infra_error``: the last model call failed on the provider's side (429, 5xx, a timeout);
    ``failed``: a replayed run asked for a call its recording does not hold.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["budget_exceeded", "infra_error", "failed"]
    reason: str


class Ledger:
    """Thread-safe: the gateway's event loop writes, the harness reads."""

    def __init__(self, budgets: Budgets) -> None:
        self.budgets = budgets
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._calls: list[ModelCall] = []
        self._count = 0
        self._spent_cost = 0.0
        self._cost_unknown = False
        self._kinds: set[str] = set()
        self._budget_reason: str | None = None
        self._replay_reason: str | None = None

    def next_index(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def add(self, call: ModelCall) -> None:
        """Store a finished call and add its spend."""
        with self._lock:
            self._calls.append(call)
            if call.error_class == "replay" and self._replay_reason is None:
                self._replay_reason = f"replay diverged: {call.error}"
            if call.status is None or call.status >= 400:
                return
            if call.cost_usd is None:
                self._cost_unknown = self._cost_unknown or call.usage.total > 0
            else:
                self._spent_cost += call.cost_usd
                if call.cost_kind:
                    self._kinds.add(call.cost_kind)
            over = self._over_budget_locked()
            if over is not None and self._budget_reason is None:
                self._budget_reason = over

    def refusal(self) -> str | None:
        """Why the next call must be refused (a budget is spent), or None to let it through."""
        with self._lock:
            reason = self._spent_locked()
            if reason is not None and self._budget_reason is None:
                self._budget_reason = reason
            return reason

    def _usage_locked(self) -> ModelUsage:
        return sum_usage([c for c in self._calls if c.status is not None and c.status < 400])

    def _spent_locked(self) -> str | None:
        b = self.budgets
        generated = [c for c in self._calls if c.error_class not in _NOT_SENT]
        if b.max_calls is not None and len(generated) >= b.max_calls:
            return f"budget exceeded: max_model_calls={b.max_calls} (made {len(generated)})"
        total = self._usage_locked().total
        if b.max_tokens_total is not None and total >= b.max_tokens_total:
            return f"budget exceeded: max_tokens_total={b.max_tokens_total} (spent {total})"
        if b.max_cost_usd is not None and not self._cost_unknown and self._spent_cost >= b.max_cost_usd:
            return f"budget exceeded: max_cost_usd={b.max_cost_usd:g} (spent {self._spent_cost:.4g})"
        elapsed = time.monotonic() - self.started
        if b.time_limit_s is not None and elapsed >= b.time_limit_s:
            return f"budget exceeded: time_limit_s={b.time_limit_s:g} (spent {elapsed:.1f}s)"
        return None

    def _over_budget_locked(self) -> str | None:
        """A budget the calls so far went *over* (reaching it exactly is not over)."""
        b = self.budgets
        total = self._usage_locked().total
        if b.max_tokens_total is not None and total > b.max_tokens_total:
            return f"budget exceeded: max_tokens_total={b.max_tokens_total} (spent {total})"
        if b.max_cost_usd is not None and not self._cost_unknown and self._spent_cost > b.max_cost_usd:
            return f"budget exceeded: max_cost_usd={b.max_cost_usd:g} (spent {self._spent_cost:.4g})"
        return None

    @property
    def calls(self) -> list[ModelCall]:
        with self._lock:
            return sorted(self._calls, key=lambda c: c.index)

    def usage(self) -> ModelUsage:
        with self._lock:
            return self._usage_locked()

    def cost_usd(self) -> float | None:
        """The run's spend; None when a call's price is unknown (never a silent 0)."""
        with self._lock:
            return None if self._cost_unknown else round(self._spent_cost, 6)

    def cost_kind(self) -> CostKind | None:
        with self._lock:
            if self._cost_unknown or not self._kinds:
                return None
            return "measured" if self._kinds == {"measured"} else "estimated"

    def cost_unenforceable(self) -> bool:
        """A cost budget is set but a call's price is unknown, so it cannot be enforced."""
        with self._lock:
            return self.budgets.max_cost_usd is not None and self._cost_unknown

    def verdict(self) -> GatewayVerdict | None:
        with self._lock:
            if self._replay_reason is not None:
                return GatewayVerdict(status="failed", reason=self._replay_reason)
            if self._budget_reason is not None:
                return GatewayVerdict(status="budget_exceeded", reason=self._budget_reason)
            generated = [c for c in self._calls if c.error_class != "refused"]
            last = max(generated, key=lambda c: c.index) if generated else None
        if last is not None and last.error_class == "infra":
            return GatewayVerdict(
                status="infra_error", reason=f"the model provider failed: {last.error or last.status}"
            )
        return None
