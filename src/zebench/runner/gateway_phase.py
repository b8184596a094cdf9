"""The model gateway around a run's agent phase: start it, hand the agent its endpoint, read its record.

Only agents whose ``model_access()`` declares a model get a gateway; the others run as before.
The run's tokens, cost and call timeline then come from the gateway for every agent alike; what
the agent itself reported is stored beside them, and a mismatch is flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zebench.agents.base import AgentOptions, AgentResult, ModelAccess, ModelEndpoint
from zebench.commands.runner import CommandRunner
from zebench.results.model_calls import MODEL_CALLS_ARTIFACT, ModelCall, calls_to_json, sum_usage
from zebench.results.models import RunRecord, TokenUsage
from zebench.scenarios.model import Scenario

if TYPE_CHECKING:
    from zebench.gateway import ModelGateway

GATEWAY_RECORD_SUBDIR = "gateway"


def build_gateway(
    access: ModelAccess, options: AgentOptions, scenario: Scenario, *, run_id: str, agent: str
) -> ModelGateway:
    """The (not yet started) gateway for one run of an agent declaring ``access``."""
    from zebench.gateway import ModelGateway, resolve_upstream
    from zebench.sandbox.secrets import collect_secret_values

    replay = options.replay_dir
    upstreams = (
        [] if replay is not None else [resolve_upstream(access.provider, access.base_url or options.base_url)]
    )
    grants = {
        *options.provider_tools,
        *(scenario.model_gateway.provider_tools if scenario.model_gateway else []),
    }
    record = options.record_dir / run_id / GATEWAY_RECORD_SUBDIR if options.record_dir is not None else None
    return ModelGateway(
        upstreams,
        model=options.model,
        aliases={**access.model_aliases, **options.model_aliases},
        max_tokens_total=options.max_tokens_total,
        max_cost_usd=options.max_cost_usd,
        time_limit_s=options.time_limit_s,
        max_calls=options.max_model_calls,
        provider_tools=grants,
        pin_generation=options.pin_generation,
        record_dir=record,
        replay_dir=replay,
        secrets=collect_secret_values(),
        run_id=run_id,
        agent=agent,
    )


@contextmanager
def agent_gateway(
    access: ModelAccess | None,
    options: AgentOptions,
    scenario: Scenario,
    runner: CommandRunner,
    *,
    run_id: str,
    agent: str,
) -> Iterator[tuple[ModelGateway | None, ModelEndpoint | None]]:
    """A started gateway and the endpoint the agent uses, for the agent's phase; (None, None) when
    the agent needs no model."""
    if access is None:
        yield None, None
        return
    gateway = build_gateway(access, options, scenario, run_id=run_id, agent=agent)
    with gateway:
        if access.runs_in == "harness":
            base_url = gateway.host_url
        else:
            attach = getattr(runner, "attach_gateway", None)
            base_url = attach(gateway.unix_socket, gateway.host_url) if callable(attach) else gateway.host_url
        endpoint = ModelEndpoint(
            base_url=base_url, api_key=gateway.api_key, model=options.model, wires=gateway.wires
        )
        yield gateway, endpoint


def apply_verdict(result: AgentResult, gateway: ModelGateway) -> AgentResult:
    """The agent's result, corrected by what the gateway saw: a budget it enforced, a provider
    failure that ended the run, a replay that diverged."""
    verdict = gateway.verdict
    if verdict is None or result.status == verdict.status:
        return result
    if verdict.status == "budget_exceeded" and result.status in ("completed", "failed"):
        return result.model_copy(update={"status": "budget_exceeded", "reason": verdict.reason})
    if verdict.status == "infra_error" and result.status == "failed":
        return result.model_copy(update={"status": "infra_error", "reason": verdict.reason})
    if verdict.status == "failed" and result.status == "completed":
        return result.model_copy(update={"status": "failed", "reason": verdict.reason})
    return result


def record_gateway(record: RunRecord, result: AgentResult, gateway: ModelGateway) -> None:
    """Store the gateway's record with the run: the call log artifact, tokens and cost from the
    gateway, the agent's own figure beside them and a flag when the two differ."""
    calls = gateway.calls
    usage = sum_usage([c for c in calls if c.status is not None and c.status < 400])
    record.artifacts[MODEL_CALLS_ARTIFACT] = calls_to_json(calls)
    record.telemetry.tokens = usage.tokens()
    record.telemetry.cost_usd = gateway.cost_usd()
    record.telemetry.cost_kind = gateway.cost_kind()
    summary: dict[str, Any] = {
        "calls": len(calls),
        "wires": sorted({c.wire for c in calls}),
        "reasoning_tokens": usage.reasoning,
        "errors": _error_counts(calls),
        "withheld_tools": sorted({name for c in calls for name in c.withheld_tools}),
        "pinned": sorted({key for c in calls for key in c.settings.pinned}),
    }
    if usage.cache_read or usage.cache_write:
        summary["cost_without_cache_usd"] = gateway.cost_without_cache()
    if gateway.cost_unenforceable():
        summary["warning"] = "max_cost_usd could not be enforced: a model's price is unknown"
    if gateway.replay_remaining:
        summary["replay_unused_calls"] = gateway.replay_remaining
    record.metadata["model_gateway"] = summary
    reported = result.reported_usage
    if reported is None and result.usage.total > 0:
        reported = result.usage
    if reported is not None:
        record.metadata["usage_check"] = usage_check(usage.tokens(), reported, result)


def usage_check(gateway: TokenUsage, agent: TokenUsage, result: AgentResult) -> dict[str, Any]:
    """Both figures and whether they agree (``match``), per field."""
    fields = ("input", "output", "cache_read", "cache_write")
    delta = {
        f: getattr(agent, f) - getattr(gateway, f) for f in fields if getattr(agent, f) != getattr(gateway, f)
    }
    check: dict[str, Any] = {
        "match": not delta,
        "gateway": gateway.model_dump(),
        "agent": agent.model_dump(),
        "delta": delta,
    }
    reported_cost = result.reported_cost_usd if result.reported_cost_usd is not None else result.cost_usd
    if reported_cost is not None:
        check["agent_cost_usd"] = reported_cost
    return check


def _error_counts(calls: list[ModelCall]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in calls:
        if call.error_class is not None:
            counts[call.error_class] = counts.get(call.error_class, 0) + 1
    return counts


def gateway_recording_dir(record_dir: Path, run_id: str) -> Path:
    """Where ``--record DIR`` keeps a run's gateway recording."""
    return record_dir / run_id / GATEWAY_RECORD_SUBDIR
