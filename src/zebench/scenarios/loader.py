"""Load one scenario folder, in either on-disk format, into the normalised ``Scenario``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zebench.errors import ScenarioError
from zebench.scenarios._parse import raise_problems, read_json, read_yaml_mapping, validate_raw
from zebench.scenarios.commands import design_commands, ze_commands
from zebench.scenarios.model import DependencyTarget, LLMJudgeConfig, Scenario, Solution, Targets
from zebench.scenarios.raw_models import RawDesignScenario, RawOracle, RawZeScenario, detect_format
from zebench.scenarios.sources import sourced_fields
from zebench.scenarios.test_lists import graded_test_fields
from zebench.scenarios.tiers import find_prompt_files
from zebench.scenarios.weights import apply_weight_overrides, derive_evaluators, explicit_evaluators

SCENARIO_FILES = ("scenario.yaml", "scenario.yml")
DEFAULT_ORACLE_FILE = "oracle-answers.json"
HIDDEN_TESTS_DIR = "tests-hidden"
EXPECTED_VERSIONS_KEY = "expected_versions"


def find_scenario_file(directory: Path) -> Path | None:
    """The scenario.yaml (or scenario.yml) in ``directory``, if any."""
    for name in SCENARIO_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def load_scenario_dir(path: Path, suite_name: str) -> Scenario:
    """Load the scenario in folder ``path`` (``<suite>/scenarios/<id>``); its id is the folder name."""
    directory = path.resolve()
    if not directory.is_dir():
        raise ScenarioError("scenario folder does not exist", file=directory)
    config_file = find_scenario_file(directory)
    if config_file is None:
        raise ScenarioError(
            "no scenario.yaml in the scenario folder",
            file=directory,
            hint="add a scenario.yaml, or scaffold one with 'zebench new scenario'",
        )
    data = read_yaml_mapping(config_file)
    if detect_format(data) == "design":
        return _from_design(data, directory, config_file, suite_name)
    return _from_ze(data, directory, config_file, suite_name)


def _from_design(data: dict[str, Any], directory: Path, config_file: Path, suite: str) -> Scenario:
    raw, warnings = validate_raw(RawDesignScenario, data, config_file)
    validation = design_commands(raw.validation_commands, network=raw.network)
    answers_file, answers, targets = _oracle(raw.oracle, raw.targets, directory, config_file, warnings)
    if raw.evaluators is not None:
        _check_unique_evaluators([e.name for e in raw.evaluators], config_file)
        specs = explicit_evaluators(raw.evaluators)
    else:
        specs = derive_evaluators(validation, raw.heuristic_checks, targets, raw.llm_judge)
    overrides = raw.rubric_overrides.weights if raw.rubric_overrides else {}
    evaluators, override_warnings = apply_weight_overrides(specs, overrides)
    warnings.extend(f"{config_file.name}: {w}" for w in override_warnings)
    _warn_judge(raw.llm_judge, config_file, warnings)
    required = raw.workspace.required
    return _assemble(
        data,
        directory,
        config_file,
        suite,
        warnings,
        format="design",
        title=raw.title or raw.name or directory.name,
        description=raw.description,
        **sourced_fields(raw, directory=directory, config_file=config_file, required=required),
        **graded_test_fields(raw, directory=directory, config_file=config_file),
        workspace_required=required,
        validation=validation,
        evaluators=evaluators,
        success_threshold=raw.success_threshold,
        timeout_minutes=raw.timeout_minutes,
        oracle_answers_file=answers_file,
        oracle_answers=answers,
        heuristic_checks=raw.heuristic_checks,
        llm_judge=raw.llm_judge,
        targets=targets,
        constraints=raw.constraints,
        solution=_solution(raw.solution, directory, config_file),
        hidden_tests_dir=_hidden_tests(raw.hidden_tests, directory, config_file),
        env=raw.env,
        network=raw.network,
        tags=raw.tags,
    )


def _from_ze(data: dict[str, Any], directory: Path, config_file: Path, suite: str) -> Scenario:
    raw, warnings = validate_raw(RawZeScenario, data, config_file)
    if raw.suite is not None and raw.suite != suite:
        warnings.append(f"{config_file.name}: suite '{raw.suite}' differs from the folder's suite '{suite}'")
    heuristics = raw.heuristic_checks
    # The original only ran heuristic checks when `enabled` was literally true; keep that meaning.
    raw_checks = data.get("heuristic_checks")
    if heuristics is not None and isinstance(raw_checks, dict) and "enabled" not in raw_checks:
        heuristics = heuristics.model_copy(update={"enabled": False})
        if heuristics.count:
            warnings.append(
                f"{config_file.name}: heuristic_checks has no 'enabled: true'; the checks are off"
            )
    # An artifact scenario (figma, api, image) has no codebase: the judge alone scores it.
    is_artifact = raw.artifact is not None
    workspace_given = isinstance(data.get("workspace"), dict) and "required" in data["workspace"]
    required = raw.workspace.required if workspace_given or not is_artifact else False
    validation = [] if is_artifact else ze_commands(raw.validation, network=raw.network)
    answers_file, answers, targets = _oracle(raw.oracle, raw.targets, directory, config_file, warnings)
    specs = derive_evaluators(validation, heuristics, targets, raw.llm_judge, ze_format=True)
    overrides = raw.rubric_overrides.weights if raw.rubric_overrides else {}
    evaluators, override_warnings = apply_weight_overrides(specs, overrides)
    warnings.extend(f"{config_file.name}: {w}" for w in override_warnings)
    _warn_judge(raw.llm_judge, config_file, warnings)
    return _assemble(
        data,
        directory,
        config_file,
        suite,
        warnings,
        format="ze-benchmarks",
        title=raw.title or raw.id or directory.name,
        description=raw.description,
        **sourced_fields(raw, directory=directory, config_file=config_file, required=required),
        **graded_test_fields(raw, directory=directory, config_file=config_file),
        workspace_required=required,
        validation=validation,
        evaluators=evaluators,
        success_threshold=raw.success_threshold,
        timeout_minutes=raw.timeout_minutes,
        oracle_answers_file=answers_file,
        oracle_answers=answers,
        heuristic_checks=heuristics,
        llm_judge=raw.llm_judge,
        targets=targets,
        constraints=raw.constraints,
        solution=_solution(raw.solution, directory, config_file),
        hidden_tests_dir=_hidden_tests(raw.hidden_tests, directory, config_file),
        env=raw.env,
        network=raw.network,
        tags=raw.tags,
    )


def _assemble(
    data: dict[str, Any],
    directory: Path,
    config_file: Path,
    suite: str,
    warnings: list[str],
    **fields: Any,
) -> Scenario:
    prompt_dir = _prompt_dir(directory, suite)
    prompt_files = find_prompt_files(prompt_dir) if prompt_dir else {}
    if not prompt_files:
        warnings.append(
            f"{config_file.name}: no prompt files (L0-*.md, L1-*.md, ...) in "
            f"{directory / 'prompts'} or {directory.parent.parent / 'prompts' / directory.name}"
        )
    return Scenario(
        id=directory.name,
        suite=suite,
        directory=directory,
        config_file=config_file,
        prompt_dir=prompt_dir,
        prompt_files=prompt_files,
        warnings=warnings,
        raw=data,
        **fields,
    )


def _prompt_dir(directory: Path, suite: str) -> Path | None:
    """The scenario's own prompts/ folder first, then the ze layout ``<suite>/prompts/<scenario>/``."""
    own = directory / "prompts"
    if own.is_dir():
        return own
    if directory.parent.name == "scenarios":
        shared = directory.parent.parent / "prompts" / directory.name
        if shared.is_dir():
            return shared
    return None


def _oracle(
    oracle: RawOracle | None,
    targets: Targets,
    directory: Path,
    config_file: Path,
    warnings: list[str],
) -> tuple[Path | None, dict[str, str], Targets]:
    """The oracle's answers file and answers; ``expected_versions`` in it become required targets."""
    if oracle is not None and oracle.answers_file:
        path = (directory / oracle.answers_file).resolve()
        if not path.is_file():
            raise ScenarioError(
                f"the answers file {oracle.answers_file} does not exist",
                file=config_file,
                field="oracle.answers_file",
                hint=f"create {path} or remove the key",
            )
    else:
        path = directory / DEFAULT_ORACLE_FILE
        if not path.is_file():
            return None, {}, targets
    data = read_json(path)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"expected a JSON object of question -> answer, got {type(data).__name__}",
            file=path,
            hint="use {} for none",
        )
    expected = data.pop(EXPECTED_VERSIONS_KEY, None)
    extra: list[DependencyTarget] = []
    if expected is not None:
        if not isinstance(expected, dict) or not all(isinstance(v, str) for v in expected.values()):
            raise ScenarioError(
                "expected an object of package name -> version range",
                file=path,
                field=EXPECTED_VERSIONS_KEY,
                hint='e.g. {"typescript": ">=5.5 <6"}',
            )
        extra = [DependencyTarget(name=name, to=to) for name, to in expected.items()]
    answers: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, str):
            answers[key] = value
        else:
            warnings.append(f"{path.name}: answer '{key}' is not a string (ignored)")
    if extra:
        targets = targets.model_copy(update={"required": [*targets.required, *extra]})
    return path, answers, targets


def _solution(configured: str | None, directory: Path, config_file: Path) -> Solution | None:
    if configured:
        path = (directory / configured).resolve()
        if not path.exists():
            raise ScenarioError(
                f"the solution {configured} does not exist",
                file=config_file,
                field="solution",
                hint="point it at a folder, a .patch file or a script inside the scenario",
            )
        if path.is_dir():
            return Solution(kind="folder", path=path)
        if path.suffix in (".patch", ".diff"):
            return Solution(kind="patch", path=path)
        return Solution(kind="script", path=path)
    if (directory / "solution").is_dir():
        return Solution(kind="folder", path=directory / "solution")
    if (directory / "solution.patch").is_file():
        return Solution(kind="patch", path=directory / "solution.patch")
    if (directory / "solve.sh").is_file():
        return Solution(kind="script", path=directory / "solve.sh")
    return None


def _hidden_tests(configured: str | None, directory: Path, config_file: Path) -> Path | None:
    if configured:
        path = (directory / configured).resolve()
        if not path.is_dir():
            raise ScenarioError(
                f"the hidden tests folder {configured} does not exist",
                file=config_file,
                field="hidden_tests",
                hint="create it or remove the key",
            )
        return path
    default = directory / HIDDEN_TESTS_DIR
    return default if default.is_dir() else None


def _check_unique_evaluators(names: list[str], config_file: Path) -> None:
    seen: set[str] = set()
    problems: list[str] = []
    for name in names:
        if name in seen:
            problems.append(f"evaluators: '{name}' is listed twice; list each evaluator once")
        seen.add(name)
    if problems:
        raise_problems(config_file, problems)


def _warn_judge(judge: LLMJudgeConfig | None, config_file: Path, warnings: list[str]) -> None:
    if judge is not None and judge.enabled and not judge.categories:
        warnings.append(
            f"{config_file.name}: llm_judge is enabled but has no categories; the judge will be skipped"
        )
