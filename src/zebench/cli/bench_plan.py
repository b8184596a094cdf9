"""What a ``zebench bench`` call will run: the experiment plan from its flags, a ``--plan`` file or
a ``--resume``d batch, the scenarios it loads and the slots left to run.

Imported by ``bench`` only once it runs (under ``collector_paused``): it loads the runner and the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zebench.cli.bench_options import BenchFlags
from zebench.cli.context import err_console
from zebench.cli.context_options import context_options
from zebench.cli.gateway_options import parse_pin, parse_provider_tools
from zebench.errors import ZebenchError
from zebench.results.models import new_batch_id
from zebench.runner.plan import ExperimentPlan, expand, load_plan, load_plan_scenarios
from zebench.runner.resume import mark_stale_runs, read_batch, slots_to_run
from zebench.store import open_store

if TYPE_CHECKING:
    from zebench.runner.plan import Slot
    from zebench.scenarios.model import Scenario


@dataclass
class BatchPlan:
    """The batch to run: its id, plan and scenarios, and each slot to run with its attempt number."""

    batch: str
    plan: ExperimentPlan
    scenarios: list[Scenario]
    todo: list[tuple[Slot, Scenario, int]]
    metadata: dict[str, Any]
    resumed: bool


def plan_batch(flags: BenchFlags) -> BatchPlan:
    """The batch ``flags`` ask for: the rest of a ``--resume``d one, or a new one."""
    if flags.resume:
        return _resumed_batch(flags, flags.resume)
    return _new_batch(flags)


def _resumed_batch(flags: BenchFlags, resume: str) -> BatchPlan:
    """What batch ``resume`` (a unique start or end of its id) is missing or had interrupted."""
    with open_store(flags.db) as store:  # resuming reads the batch back from the local/--db store
        batch = store.resolve_id("batch", resume)
        state = read_batch(store, batch)
        plan = ExperimentPlan.from_metadata(state.metadata, source=f"batch {batch}")
        stale = mark_stale_runs(store, state, workspace_root=flags.workspace_root)
    loaded = load_plan_scenarios(plan, flags.suites_dir)
    by_id = {s.id: s for s in loaded}
    cells = expand(plan, loaded)
    todo = [
        (slot, by_id[slot.scenario], n)
        for slot, n in slots_to_run(state, [c for c, _ in cells], retry_errors=flags.retry_errors)
    ]
    if not flags.as_json:
        err_console.print(
            f"[dim]resume {batch}: {len(stale)} stale run(s) marked interrupted, {len(todo)} to run[/dim]"
        )
    return BatchPlan(batch, plan, loaded, todo, state.metadata, resumed=True)


def _new_batch(flags: BenchFlags) -> BatchPlan:
    """A new batch from ``--plan`` or from the suite, scenarios and matrix flags."""
    plan = load_plan(flags.plan_file) if flags.plan_file is not None else _plan_from_flags(flags)
    loaded = load_plan_scenarios(plan, flags.suites_dir)
    if flags.plan_file is None and not flags.specialist and not flags.as_json:
        from zebench.cli.model_picker import with_picked_model

        plan = with_picked_model(plan)  # at a terminal, a plain openrouter run chooses its model
    batch = flags.batch_id or new_batch_id()
    todo = [(slot, scenario, 1) for slot, scenario in expand(plan, loaded)]
    return BatchPlan(batch, plan, loaded, todo, plan.to_metadata(), resumed=False)


def _plan_from_flags(flags: BenchFlags) -> ExperimentPlan:
    """The plan the command line spells: suite, scenarios, tiers × agents × models, iterations."""
    if flags.suite is None:
        raise ZebenchError(
            "name a suite (and scenarios or --all), or pass --plan or --resume",
            hint="zebench bench examples fix-failing-tests",
        )
    if not flags.scenarios and not flags.all_scenarios:
        raise ZebenchError(
            "name at least one scenario, or pass --all",
            hint=f"zebench suites shows the scenarios of {flags.suite}",
        )
    options = _agent_options(flags)
    return ExperimentPlan.model_validate(
        {
            "suite": flags.suite,
            "scenarios": None if flags.all_scenarios else flags.scenarios,
            "tiers": _split(flags.tiers) or ([flags.tier] if flags.tier else None),
            "agents": _split(flags.agents) or [flags.agent or "echo"],
            "models": _split(flags.models) or [flags.model],
            "iterations": flags.iterations,
            "options": {
                k: (str(v) if isinstance(v, Path) else v) for k, v in options.items() if v is not None
            },
        }
    )


def _agent_options(flags: BenchFlags) -> dict[str, Any]:
    """The plan's agent options from the flags; None where a flag was not given."""
    return {
        "base_url": flags.base_url,
        "max_turns": flags.max_turns,
        "max_tokens_total": flags.max_tokens_total,
        "max_cost_usd": flags.max_cost,
        "time_limit_s": flags.time_limit,
        "record_dir": flags.record,
        "replay_dir": flags.replay,
        "extra": {
            key: value
            for key, value in (("agent_bin", flags.agent_bin), ("command", flags.agent_command))
            if value is not None
        }
        or None,
        "max_model_calls": flags.max_model_calls,
        "provider_tools": parse_provider_tools(flags.provider_tools) or None,
        "pin_generation": parse_pin(flags.pin_generation),
        **context_options(flags.prompt_cache, flags.context_budget),
    }


def _split(values: list[str] | None) -> list[str] | None:
    """``--agents a,b --agents c`` → [a, b, c]; None when the flag was not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
