"""``ModelGateway``: the run's one way to a model, started and stopped around the agent's phase."""

from __future__ import annotations

import secrets as secrets_module
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from zebench.gateway.ledger import Budgets, GatewayVerdict, Ledger
from zebench.gateway.pinning import check_pin
from zebench.gateway.proxy import GatewayApp, Policy
from zebench.gateway.recording import CallRecorder, RecordingMeta, ReplayBook, load_calls
from zebench.gateway.server import GatewayServer, tcp_listener, unix_listener
from zebench.gateway.upstream import Upstream
from zebench.llm.pricing import PricingTable
from zebench.results.model_calls import WIRES, ModelCall, ModelUsage, Wire
from zebench.results.models import CostKind

SOCKET_NAME = "gateway.sock"
TOKEN_PREFIX = "zebench-gateway-"


class ModelGateway:
    """A local HTTP proxy owned by the harness, started per run, in front of the model provider.

    It serves the Anthropic Messages, OpenAI Chat Completions and Responses, and Gemini wire formats
    (streaming included) for the wires its ``upstreams`` serve; adds the real key (the agent holds a
    placeholder, :attr:`api_key`); records every call (:attr:`calls`); enforces the run's budgets,
    refusing further calls in the provider's own error shape; withholds provider-side tools unless
    granted (``allow_provider_tools`` or ``provider_tools``); pins generation settings when asked;
    maps model aliases; records or replays the calls (``record_dir``/``replay_dir``).

    It listens on :attr:`unix_socket` (bound into sandboxes) and :attr:`host_url` (TCP on
    127.0.0.1). Use it as a context manager.
    """

    def __init__(
        self,
        upstreams: Upstream | Sequence[Upstream] = (),
        *,
        model: str | None = None,
        aliases: Mapping[str, str] | None = None,
        max_tokens_total: int | None = None,
        max_cost_usd: float | None = None,
        time_limit_s: float | None = None,
        max_calls: int | None = None,
        allow_provider_tools: bool = False,
        provider_tools: Iterable[str] = (),
        pin_generation: Mapping[str, Any] | None = None,
        record_dir: Path | None = None,
        replay_dir: Path | None = None,
        pricing: PricingTable | None = None,
        upstream_timeout_s: float = 600.0,
        secrets: Iterable[str | None] = (),
        run_id: str | None = None,
        agent: str | None = None,
    ) -> None:
        listed = [upstreams] if isinstance(upstreams, Upstream) else list(upstreams)
        self.upstreams: dict[Wire, Upstream] = {}
        for upstream in listed:
            for wire in upstream.wires:
                self.upstreams.setdefault(wire, upstream)
        self.model = model
        self.api_key = TOKEN_PREFIX + secrets_module.token_hex(16)
        grants = {"all"} if allow_provider_tools else set(provider_tools)
        self.policy = Policy(
            token=self.api_key,
            aliases=dict(aliases or {}),
            grants=frozenset(grants),
            pin=check_pin(pin_generation),
            upstream_timeout_s=upstream_timeout_s,
        )
        self.budgets = Budgets(
            max_tokens_total=max_tokens_total,
            max_cost_usd=max_cost_usd,
            time_limit_s=time_limit_s,
            max_calls=max_calls,
        )
        self._record_dir = record_dir
        self._replay = ReplayBook(load_calls(replay_dir)) if replay_dir is not None else None
        if self._replay is not None and not self.upstreams:
            # A replay needs no provider: every wire is served from the recording.
            self.upstreams = {
                wire: Upstream(provider=_provider(wire), base_url="http://replay.invalid") for wire in WIRES
            }
        self._pricing = pricing
        self._secrets = [*secrets, *(u.api_key.get_secret_value() for u in listed if u.api_key)]
        self._meta = RecordingMeta(run_id=run_id, agent=agent)
        self._ledger = Ledger(self.budgets)
        self._folder: Path | None = None
        self._server: GatewayServer | None = None
        self._port = 0

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> ModelGateway:
        """Bind both listeners and start serving; returns self."""
        if self._server is not None:
            return self
        if self._pricing is None:
            from zebench.llm.client import pricing_table

            self._pricing = pricing_table(None)
        # A private folder (0700) holds the socket; short, since socket paths are limited to 108 bytes.
        self._folder = Path(tempfile.mkdtemp(prefix="zbgw-"))
        recorder = None
        if self._record_dir is not None:
            recorder = CallRecorder(self._record_dir, secrets=self._secrets, meta=self._meta)
        self._ledger = Ledger(self.budgets)  # the time budget counts from here
        app = GatewayApp(
            self.upstreams, self.policy, self._ledger, self._pricing, recorder=recorder, replay=self._replay
        )
        tcp = tcp_listener()
        self._port = int(tcp.getsockname()[1])
        sockets = [tcp, unix_listener(self._folder / SOCKET_NAME)]
        self._server = GatewayServer(app, sockets)
        try:
            self._server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop serving (in-flight replies are cut) and remove the socket. Safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> ModelGateway:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ----------------------------------------------------------------------------

    @property
    def unix_socket(self) -> Path:
        """The Unix socket the gateway listens on (bound into an agent's sandbox)."""
        if self._folder is None:
            raise RuntimeError("the model gateway is not started; use it as a context manager")
        return self._folder / SOCKET_NAME

    @property
    def host_url(self) -> str:
        """``http://127.0.0.1:PORT``: for ``--sandbox none`` and for agents running in the harness."""
        if self._server is None:
            raise RuntimeError("the model gateway is not started; use it as a context manager")
        return f"http://127.0.0.1:{self._port}"

    @property
    def wires(self) -> tuple[Wire, ...]:
        """The wire formats this gateway serves."""
        return tuple(self.upstreams)

    # --- the record ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[ModelCall]:
        """Every call so far, in arrival order (refused ones included)."""
        return self._ledger.calls

    def usage(self) -> ModelUsage:
        """Tokens of every answered call, from the providers' own fields."""
        return self._ledger.usage()

    def cost_usd(self) -> float | None:
        """The spend so far; None when a model's price is unknown."""
        return self._ledger.cost_usd()

    def cost_kind(self) -> CostKind | None:
        return self._ledger.cost_kind()

    def cost_without_cache(self) -> float | None:
        """What the answered calls would have cost with no prompt cache, every prompt token at the
        input price: the figure caching is measured against. None when a price is unknown or the
        calls were replayed (they cost nothing)."""
        table = self._pricing
        if table is None or self._replay is not None:
            return None
        total = 0.0
        for call in self.calls:
            if call.status is None or call.status >= 400:
                continue
            names = [n for n in (call.model_served, call.model) if n]
            price = next((found for n in names if (found := table.lookup(n)) is not None), None)
            if price is None:
                return None
            total += price.uncached_cost(call.usage)
        return round(total, 6)

    @property
    def verdict(self) -> GatewayVerdict | None:
        """A budget spent, the provider failing on the last call, or a replay that diverged."""
        return self._ledger.verdict()

    def cost_unenforceable(self) -> bool:
        """``max_cost_usd`` is set but a model's price is unknown, so it could not be enforced."""
        return self._ledger.cost_unenforceable()

    @property
    def replay_remaining(self) -> int | None:
        """Recorded calls not replayed (None when not replaying)."""
        return None if self._replay is None else self._replay.remaining()


def _provider(wire: Wire) -> Any:
    return {
        "anthropic-messages": "anthropic",
        "openai-chat": "openai",
        "openai-responses": "openai",
        "gemini": "google",
    }[wire]
