"""The normalised scenario: what both on-disk formats (design document and ze-benchmarks) load into."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zebench.results.models import CommandKind

ScenarioFormat = Literal["design", "ze-benchmarks"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValidationCommand(_Model):
    """A shell command run in the workspace after the agent: install, build, lint, typecheck, test.

    ``network`` says whether the command may use the network under the sandbox: what the command
    said, else True for ``install`` commands (they fetch dependencies), else the scenario's
    ``network:`` setting.
    """

    name: str
    kind: CommandKind = "custom"
    command: str
    timeout_s: float = 600.0
    network: bool = False


class EvaluatorSpec(_Model):
    """One evaluator of the scenario, with its resolved weight."""

    name: str
    weight: float = 1.0
    required: bool = False
    config: dict[str, Any] = Field(default_factory=dict)


class HeuristicCommand(_Model):
    name: str
    command: str
    weight: float = 1.0
    description: str | None = None


class HeuristicFile(_Model):
    name: str
    path: str
    weight: float = 1.0
    description: str | None = None
    exists: bool = True  # False: the check passes when the file is absent


class HeuristicPattern(_Model):
    name: str
    file: str  # glob, relative to the workspace
    pattern: str  # Python regex (multiline)
    weight: float = 1.0
    description: str | None = None
    should_match: bool = True  # False: passes when no matched file contains the pattern


class HeuristicStructured(_Model):
    name: str
    file: str
    json_path: str | None = None  # real JSONPath, e.g. $.paths['/users'].get
    section_header: str | None = None
    exists: bool = True
    equals: Any = None
    weight: float = 1.0
    description: str | None = None


class HeuristicScript(_Model):
    name: str
    script: str
    args: list[str] = Field(default_factory=list)
    weight: float = 1.0
    description: str | None = None


class HeuristicChecks(_Model):
    """The original's five kinds of heuristic checks."""

    enabled: bool = True
    commands: list[HeuristicCommand] = Field(default_factory=list)
    files: list[HeuristicFile] = Field(default_factory=list)
    patterns: list[HeuristicPattern] = Field(default_factory=list)
    structured: list[HeuristicStructured] = Field(default_factory=list)
    scripts: list[HeuristicScript] = Field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.commands)
            + len(self.files)
            + len(self.patterns)
            + len(self.structured)
            + len(self.scripts)
        )


class LLMJudgeConfig(_Model):
    enabled: bool = False
    model: str | None = None
    provider: str | None = None  # anthropic | openrouter | openai; inferred from the model id when absent
    temperature: float = 0.1
    max_tokens: int = 2000
    categories: list[str] = Field(default_factory=list)


class DependencyTarget(_Model):
    name: str
    to: str  # an npm semver range or a PEP 440 specifier


class Targets(_Model):
    required: list[DependencyTarget] = Field(default_factory=list)
    optional: list[DependencyTarget] = Field(default_factory=list)


class Solution(_Model):
    """How the oracle agent solves the scenario."""

    kind: Literal["folder", "patch", "script"]
    path: Path


PackageRegistry = Literal["pypi", "npm"]


class PackageFixture(_Model):
    """A fixture taken from a published package (a pinned sdist or npm tarball) instead of a folder.

    ``digest`` is what the download must hash to: ``sha256:<hex>`` for PyPI, the npm registry's
    ``sha512-<base64>`` integrity for npm. ``patch`` (a file in the scenario folder) is applied to
    the unpacked tree before anything else, e.g. to revert an upstream fix.
    """

    registry: PackageRegistry
    name: str
    version: str
    digest: str
    patch: Path | None = None

    @property
    def requirement(self) -> str:
        """What the registry's own client is asked for: ``name==version`` or ``name@version``."""
        return f"{self.name}=={self.version}" if self.registry == "pypi" else f"{self.name}@{self.version}"


class ScenarioEnvironment(_Model):
    """Tools the scenario's commands need, as exact pins, installed once into a cached environment.

    ``python`` entries (``pytest==8.3.4``) go into a virtual environment whose ``bin/`` comes first
    on PATH; ``npm`` entries (``tape@5.9.0``) into a ``node_modules`` reached through NODE_PATH.
    """

    python: list[str] = Field(default_factory=list)
    npm: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.python and not self.npm


class Scenario(_Model):
    """A loaded, validated scenario. Paths are absolute."""

    id: str  # the scenario's folder name; the key users type
    suite: str
    title: str
    description: str = ""
    format: ScenarioFormat
    directory: Path
    config_file: Path
    fixture_dir: Path | None = None
    package_fixture: PackageFixture | None = None  # instead of fixture_dir: fetched and cached
    environment: ScenarioEnvironment | None = None
    source: str | None = None  # where the task comes from (an upstream fix, an issue), for people
    workspace_required: bool = True
    prompt_dir: Path | None = None
    # tier -> candidate files (normally one)
    prompt_files: dict[str, list[Path]] = Field(default_factory=dict)
    validation: list[ValidationCommand] = Field(default_factory=list)
    evaluators: list[EvaluatorSpec] = Field(default_factory=list)
    success_threshold: float = 0.7
    timeout_minutes: float = 60.0
    oracle_answers_file: Path | None = None
    oracle_answers: dict[str, str] = Field(default_factory=dict)
    heuristic_checks: HeuristicChecks | None = None
    llm_judge: LLMJudgeConfig | None = None
    targets: Targets = Field(default_factory=Targets)
    constraints: dict[str, Any] = Field(default_factory=dict)
    solution: Solution | None = None
    hidden_tests_dir: Path | None = None  # copied in after the agent, for validation only
    # SWE-bench's lists, from scenario.yaml or tests.lock.json (then tests_lock_file names it).
    fail_to_pass: list[str] = Field(default_factory=list)
    pass_to_pass: list[str] = Field(default_factory=list)
    flaky_tests: list[str] = Field(default_factory=list)  # left out of both lists by the lock
    tests_lock_file: Path | None = None
    tests_lock_digest: str | None = None  # scenario_digest when the lock was written

    @property
    def has_test_lists(self) -> bool:
        """Whether the scenario says which tests must go from failing to passing (and which must keep passing)."""
        return bool(self.fail_to_pass or self.pass_to_pass)

    env: dict[str, str] = Field(default_factory=dict)  # extra environment for commands
    network: bool = False  # whether sandboxed commands may use the network
    tags: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # unknown keys and other non-fatal findings
    raw: dict[str, Any] = Field(default_factory=dict)  # the parsed YAML, for evaluators that need extra keys

    @property
    def tiers(self) -> list[str]:
        """Tiers in order: L0, L1, L2, ... then Lx."""
        return sorted(self.prompt_files, key=tier_sort_key)

    @property
    def key(self) -> str:
        return f"{self.suite}/{self.id}"


def tier_sort_key(tier: str) -> tuple[int, int, str]:
    """Sort L0 < L1 < ... < L10 < Lx < anything else."""
    if tier.startswith("L") and tier[1:].isdigit():
        return (0, int(tier[1:]), tier)
    if tier == "Lx":
        return (1, 0, tier)
    return (2, 0, tier)


class Suite(_Model):
    """A folder of scenarios."""

    name: str
    directory: Path
    scenario_ids: list[str]
    bundled: bool = False
