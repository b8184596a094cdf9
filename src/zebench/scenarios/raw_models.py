"""The two on-disk scenario formats, exactly as written, before normalisation into ``Scenario``.

Both forbid unknown keys; ``_parse.validate_raw`` turns those into warnings. Numbers are accepted where a
string is expected because YAML authors write ``node: 20`` or ``PORT: 3000`` and mean the text.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from zebench.results.models import CommandKind
from zebench.scenarios._parse import describe, fail
from zebench.scenarios.model import HeuristicChecks, LLMJudgeConfig, Targets

DESIGN_MARKERS = frozenset({"validation_commands", "evaluators", "name"})
ZE_MARKERS = frozenset({"id", "validation", "suite"})


def _non_negative(value: float) -> float:
    if value < 0:
        fail(f"expected a weight >= 0 (0 drops the evaluator), got {describe(value)}")
    return value


def _positive(value: float) -> float:
    if value <= 0:
        fail(f"expected a number > 0, got {describe(value)}")
    return value


def _fraction(value: float) -> float:
    if not 0 <= value <= 1:
        fail(f"expected a number within 0..1, got {describe(value)}")
    return value


# Exact pins only: a fixture or a tool that floats would make runs of the same scenario differ.
PYPI_PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,\s-]+\])?==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$"
)
NPM_PIN = re.compile(
    r"^((?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*)@(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$"
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SRI_SHA512 = re.compile(r"^sha512-[A-Za-z0-9+/]{86}==$")


def _python_pin(value: str) -> str:
    if not PYPI_PIN.match(value.strip()):
        fail(f"expected an exact pin like 'pytest==8.3.4', got {describe(value)}")
    return value.strip()


def _npm_pin(value: str) -> str:
    if not NPM_PIN.match(value.strip()):
        fail(f"expected an exact pin like 'tape@5.9.0', got {describe(value)}")
    return value.strip()


Weight = Annotated[float, AfterValidator(_non_negative)]
Positive = Annotated[float, AfterValidator(_positive)]
Fraction = Annotated[float, AfterValidator(_fraction)]


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, allow_inf_nan=False)


class RawOracle(_Raw):
    answers_file: str | None = None


class RawRubricOverrides(_Raw):
    weights: dict[str, Weight] = Field(default_factory=dict)


class RawFixture(_Raw):
    """``fixture:``: a published package as the fixture, pinned by version and hash."""

    pypi: str | None = None  # NAME==VERSION, an sdist on PyPI
    npm: str | None = None  # NAME@VERSION, a tarball on the npm registry
    sha256: str | None = None  # of the sdist file
    integrity: str | None = None  # the npm registry's dist.integrity (sha512-…)
    patch: str | None = None  # default: setup.patch beside scenario.yaml, when present

    @model_validator(mode="after")
    def _pinned(self) -> RawFixture:
        if (self.pypi is None) == (self.npm is None):
            fail("name exactly one package: pypi: NAME==VERSION or npm: NAME@VERSION")
        if self.pypi is not None:
            if not PYPI_PIN.match(self.pypi) or "[" in self.pypi:
                fail(f"pypi: expected NAME==VERSION, got {describe(self.pypi)}")
            if self.sha256 is None or not _SHA256.match(self.sha256):
                fail("pypi fixtures need sha256: the 64 lower-case hex digits of the sdist file")
            if self.integrity is not None:
                fail("integrity is for npm fixtures; a pypi fixture is pinned by sha256")
        if self.npm is not None:
            if not NPM_PIN.match(self.npm):
                fail(f"npm: expected NAME@VERSION with an exact version, got {describe(self.npm)}")
            if self.integrity is None or not _SRI_SHA512.match(self.integrity):
                fail(
                    "npm fixtures need integrity: the registry's sha512-… value (npm view NAME@VERSION dist.integrity)"
                )
            if self.sha256 is not None:
                fail("sha256 is for pypi fixtures; an npm fixture is pinned by integrity")
        return self


class RawEnvironment(_Raw):
    """``environment:``: exact pins of the tools the scenario's commands need."""

    python: list[Annotated[str, AfterValidator(_python_pin)]] = Field(default_factory=list)
    npm: list[Annotated[str, AfterValidator(_npm_pin)]] = Field(default_factory=list)


def _test_ids(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if not value.strip():
            fail("expected test ids, got an empty one")
        if value in seen:
            fail(f"lists the test {describe(value)} twice")
        seen.add(value)
    return values


TestIds = Annotated[list[str], AfterValidator(_test_ids)]


class Sourced(_Raw):
    """Keys both formats share: where the code comes from, and the tests that grade it."""

    fixture: RawFixture | None = None
    environment: RawEnvironment | None = None
    source: str | None = None  # the upstream fix, changelog entry or issue the scenario comes from
    # SWE-bench's lists (or a tests.lock.json beside scenario.yaml, never both).
    fail_to_pass: TestIds | None = None
    pass_to_pass: TestIds | None = None


# --- design format -------------------------------------------------------------------------------


def _command_entry(value: Any) -> Any:
    if isinstance(value, str):
        return {"command": value}
    if not isinstance(value, dict):
        fail(f"expected a command string or a mapping with 'command', got {describe(value)}")
    return value


def _evaluator_entry(value: Any) -> Any:
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        fail(f"expected an evaluator name or a mapping with 'name', got {describe(value)}")
    return value


class RawDesignCommand(_Raw):
    """One ``validation_commands`` entry; a bare string becomes ``{command: ...}``."""

    command: str
    name: str | None = None
    kind: CommandKind | None = None
    timeout: Positive | None = None  # seconds
    network: bool | None = None  # default: true for install commands, else the scenario's network


class RawEvaluator(BaseModel):
    """One ``evaluators`` entry. Keys other than name, weight and required are the evaluator's config."""

    model_config = ConfigDict(extra="allow")

    name: str
    weight: Weight | None = None
    required: bool | None = None


class RawDesignWorkspace(_Raw):
    required: bool = True


class RawDesignScenario(Sourced):
    """zebench's native format (the design document's ``name``/``evaluators``/``validation_commands``)."""

    id: str | None = None  # kept in ``raw`` only: the folder name is the id
    name: str | None = None
    title: str | None = None
    description: str = ""
    evaluators: list[Annotated[RawEvaluator, BeforeValidator(_evaluator_entry)]] | None = None
    validation_commands: list[Annotated[RawDesignCommand, BeforeValidator(_command_entry)]] = Field(
        default_factory=list
    )
    tags: list[str] = Field(default_factory=list)
    timeout_minutes: Positive = 60.0
    success_threshold: Fraction = 0.7
    targets: Targets = Field(default_factory=Targets)
    constraints: dict[str, Any] = Field(default_factory=dict)
    heuristic_checks: HeuristicChecks | None = None
    llm_judge: LLMJudgeConfig | None = None
    rubric_overrides: RawRubricOverrides | None = None
    oracle: RawOracle | None = None
    solution: str | None = None
    hidden_tests: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    network: bool = False
    workspace: RawDesignWorkspace = Field(default_factory=RawDesignWorkspace)


# --- ze-benchmarks format ------------------------------------------------------------------------


class RawZeWorkspace(_Raw):
    required: bool = True
    node: str | None = None
    manager: str | None = None
    managers_allowed: list[str] = Field(default_factory=list)
    workspaces: str | None = None


class RawZeCommands(_Raw):
    install: str | None = None
    build: str | None = None
    lint: str | None = None
    typecheck: str | None = None
    test: str | None = None


class RawZeValidation(_Raw):
    required: bool = True
    commands: RawZeCommands = Field(default_factory=RawZeCommands)


class RawBaselineStep(_Raw):
    cmd: str


class RawBaseline(_Raw):
    run: list[RawBaselineStep] = Field(default_factory=list)


class RawZeScenario(Sourced):
    """The original ze-benchmarks ``scenario.yaml`` (see research notes §2.2), plus zebench's extensions."""

    id: str | None = None
    suite: str | None = None
    title: str | None = None
    description: str = ""
    timeout_minutes: Positive = 60.0
    workspace: RawZeWorkspace = Field(default_factory=RawZeWorkspace)
    validation: RawZeValidation = Field(default_factory=RawZeValidation)
    oracle: RawOracle | None = None
    heuristic_checks: HeuristicChecks | None = None
    llm_judge: LLMJudgeConfig | None = None
    rubric_overrides: RawRubricOverrides | None = None
    targets: Targets = Field(default_factory=Targets)
    constraints: dict[str, Any] = Field(default_factory=dict)
    baseline: RawBaseline | None = None
    reference_path: str | None = None
    artifact: dict[str, Any] | None = None
    hints: list[str] = Field(default_factory=list)
    success_criteria: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    difficulty: str | None = None
    estimated_time: str | None = None
    # zebench extensions, so an imported scenario can gain an oracle solution or hidden tests in place.
    success_threshold: Fraction = 0.7
    solution: str | None = None
    hidden_tests: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    network: bool = False


def detect_format(data: dict[str, Any]) -> str:
    """``design`` or ``ze-benchmarks``, from the top-level keys; design wins ties because it is native."""
    keys = set(data)
    if keys & DESIGN_MARKERS:
        return "design"
    if keys & ZE_MARKERS:
        return "ze-benchmarks"
    return "design"
