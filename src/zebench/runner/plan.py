"""Experiment plans: a matrix of scenarios × tiers × agents × models × iterations, and its slots.

A plan comes from the command line (``--tiers L0,L1 --agents a,b``) or from a YAML file
(``--plan experiment.yaml``). It is stored in the batch metadata so ``--resume`` can rebuild the
very same matrix later, which is why it holds only JSON-friendly values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zebench.agents import AgentOptions
from zebench.errors import ScenarioError, ZebenchError
from zebench.runner.pipeline import RunSpec
from zebench.scenarios import load_scenario, load_suite
from zebench.scenarios.model import Scenario

PLAN_VERSION = 1
# AgentOptions fields a plan may set; ``model`` is a matrix axis, not an option.
_OPTION_FIELDS = {f for f in AgentOptions.model_fields if f != "model"}


def default_tier(scenario: Scenario) -> str:
    """L1 when the scenario has it (a typical user request), else its first tier."""
    tiers = scenario.tiers
    if not tiers:
        raise ScenarioError(
            "scenario has no prompts", file=scenario.directory, hint="add prompts/L1-basic.md"
        )
    return "L1" if "L1" in tiers else tiers[0]


def _default_models() -> list[str | None]:
    return [None]  # each agent's default model


class ExperimentPlan(BaseModel):
    """What a batch runs. ``scenarios`` None means every scenario of the suite; ``tiers`` None means
    each scenario's default tier; ``models`` [None] means each agent's default model."""

    model_config = ConfigDict(extra="forbid")

    suite: str
    scenarios: list[str] | None = None
    tiers: list[str] | None = None
    agents: list[str] = Field(default_factory=lambda: ["echo"])
    models: list[str | None] = Field(default_factory=lambda: _default_models())
    iterations: int = Field(default=1, ge=1)
    options: dict[str, Any] = Field(default_factory=dict)  # AgentOptions fields, e.g. max_turns

    @field_validator("scenarios", "tiers", "agents", "models", mode="before")
    @classmethod
    def _comma_lists(cls, value: Any) -> Any:
        # YAML authors write either a list or "a,b"; both mean the same axis.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("agents", "models")
    @classmethod
    def _not_empty(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError("must name at least one")
        return value

    @field_validator("options")
    @classmethod
    def _known_options(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - _OPTION_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(_OPTION_FIELDS))}"
            )
        try:  # a value out of range fails here, naming the option, not later as a traceback
            AgentOptions.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None
        return value

    def agent_options(self, model: str | None) -> AgentOptions:
        """The AgentOptions of one cell of the matrix."""
        return AgentOptions(model=model, **self.options)

    def to_metadata(self) -> dict[str, Any]:
        """The batch metadata: the plan itself, under keys the batch views already read."""
        data = self.model_dump(mode="json")
        data["plan_version"] = PLAN_VERSION
        return data

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any], *, source: str = "batch metadata") -> ExperimentPlan:
        """Rebuild the plan a batch stored; ZebenchError when the batch has none (an old batch)."""
        data = {k: v for k, v in metadata.items() if k in cls.model_fields}
        if "suite" not in data:
            raise ZebenchError(
                "the batch has no stored plan",
                file=source,
                hint="only batches run by this zebench can be resumed",
            )
        return _validate(data, source)


def _validate(data: dict[str, Any], source: str | Path) -> ExperimentPlan:
    try:
        return ExperimentPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        message = first["msg"].removeprefix(
            "Value error, "
        )  # pydantic's wording for a validator's ValueError
        raise ZebenchError(message, file=source, field=field, hint="fix the experiment plan") from exc


def load_plan(path: Path) -> ExperimentPlan:
    """Read an experiment plan from YAML; bad files raise ZebenchError naming the field."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ZebenchError(f"cannot read the plan: {exc.strerror or exc}", file=path) from exc
    except yaml.YAMLError as exc:
        raise ZebenchError(f"not valid YAML: {exc}", file=path) from exc
    if not isinstance(data, dict):
        raise ZebenchError(
            "an experiment plan must be a mapping", file=path, hint="see docs: suite, agents, ..."
        )
    return _validate(data, path)


@dataclass(frozen=True)
class Slot:
    """One cell × iteration of the plan. Attempts of the same slot share its key."""

    suite: str
    scenario: str
    tier: str
    agent: str
    model: str | None
    iteration: int  # 0-based

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.scenario}|{self.tier}|{self.agent}|{self.model or '-'}|{self.iteration}"

    def metadata(self) -> dict[str, Any]:
        return {"slot": self.key, "iteration": self.iteration}


def load_plan_scenarios(plan: ExperimentPlan, suites_dir: Path | None) -> list[Scenario]:
    """The plan's scenarios, loaded (so a typo fails before any work)."""
    ids = plan.scenarios if plan.scenarios is not None else load_suite(plan.suite, suites_dir).scenario_ids
    if not ids:
        raise ScenarioError(f"suite '{plan.suite}' has no scenarios", hint="name scenarios or add some")
    return [load_scenario(plan.suite, sid, suites_dir) for sid in ids]


def expand(plan: ExperimentPlan, scenarios: list[Scenario]) -> list[tuple[Slot, Scenario]]:
    """Every slot of the matrix, iterations outermost so early results cover every cell."""
    slots: list[tuple[Slot, Scenario]] = []
    for iteration in range(plan.iterations):
        for scenario in scenarios:
            for tier in plan.tiers or [default_tier(scenario)]:
                for agent in plan.agents:
                    for model in plan.models:
                        slots.append((Slot(plan.suite, scenario.id, tier, agent, model, iteration), scenario))
    return slots


@dataclass
class SlotSpec(RunSpec):
    """A RunSpec whose progress label also names the model and iteration, so parallel runs of one
    cell get separate rows in the live view."""

    display: str = ""

    @property
    def label(self) -> str:
        return self.display or f"{self.scenario.suite}/{self.scenario.id} {self.tier} {self.agent}"


def build_specs(
    plan: ExperimentPlan,
    todo: list[tuple[Slot, Scenario, int]],
    batch_id: str,
    *,
    workspace_root: Path,
    keep_workspace: bool = False,
    options_override: dict[str, Any] | None = None,
    workspace_limits: dict[str, int] | None = None,
) -> list[RunSpec]:
    """One spec per (slot, scenario, attempt); the slot key and label go into the run metadata.

    ``workspace_limits`` override the scenarios' own (``files``, ``bytes``, ``file_bytes``).
    """
    specs: list[RunSpec] = []
    multi_model = len(plan.models) > 1
    for slot, scenario, attempt in todo:
        options = plan.agent_options(slot.model)
        if options_override:
            options = options.model_copy(update=options_override)
        label = f"{slot.suite}/{slot.scenario} {slot.tier} {slot.agent}"
        if multi_model and slot.model:
            label += f" {slot.model}"
        if plan.iterations > 1:
            label += f" #{slot.iteration + 1}"
        if attempt > 1:
            label += f" (attempt {attempt})"
        specs.append(
            SlotSpec(
                scenario=scenario,
                tier=slot.tier,
                agent=slot.agent,
                batch_id=batch_id,
                options=options,
                workspace_root=workspace_root,
                keep_workspace=keep_workspace,
                attempt=attempt,
                metadata={**slot.metadata(), "label": label},
                display=label,
                workspace_limits=(
                    scenario.workspace_limits.model_copy(update=workspace_limits)
                    if workspace_limits
                    else None
                ),
            )
        )
    return specs
