"""``zebench import swebench``: SWE-bench instances as zebench scenarios.

An instance whose ``repo`` is a git repository needs a local clone (``--repo``) holding its
``base_commit``: the fixture is that commit's tree (``git archive``), the solution ``patch``, the
hidden tests the files ``test_patch`` adds or changes, as they are after it applies; the lists
become ``tests.lock.json``. An instance exported by zebench from a package fixture (``repo``
``pypi:NAME``) carries its pin and needs no clone. The test command and environment come from the
instance's ``zebench`` part, else from the options, else they are detected as ``zebench mine`` does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from zebench.errors import ZebenchError
from zebench.grading import TestsLock, scenario_digest, write_lock
from zebench.mining import environment as envmod
from zebench.mining import scenario_files as files
from zebench.mining.candidate import EVALUATORS
from zebench.mining.repo import SourceRepo
from zebench.scenarios import load_scenario_dir
from zebench.swebench.models import SWEBenchInstance

_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.M)


class ImportProblem(Exception):
    """An instance that cannot become a scenario; the message says why."""


@dataclass
class ImportOptions:
    """What the user passed: the clone, a test command and pins overriding detection."""

    repo: SourceRepo | None = None
    test_command: str | None = None
    python_pins: list[str] | None = None
    npm_pins: list[str] | None = None


@dataclass
class Imported:
    instance_id: str
    scenario: str | None = None
    skipped: str | None = None


def read_instances(path: Path) -> Iterator[tuple[int, SWEBenchInstance | str]]:
    """Each line of a JSONL file as an instance, or the one-line reason it is not one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ZebenchError(f"cannot read the file: {exc.strerror}", file=path) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, SWEBenchInstance.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            yield number, f"line {number}: {where}: {first['msg']}"


def scenario_id(instance_id: str) -> str:
    """A kebab-case folder name for an instance id (``astropy__astropy-12907`` -> ``astropy-astropy-12907``)."""
    return re.sub(r"[^a-z0-9]+", "-", instance_id.lower()).strip("-") or "instance"


def import_instance(instance: SWEBenchInstance, suite_dir: Path, options: ImportOptions) -> Imported:
    name = scenario_id(instance.instance_id)
    target = suite_dir / "scenarios" / name
    if target.exists():
        return Imported(instance.instance_id, skipped=f"scenario {name} already exists")
    staging = suite_dir / ".import-staging" / name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _build(instance, staging, options)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    except (ImportProblem, ZebenchError) as exc:
        reason = exc.one_line() if isinstance(exc, ZebenchError) else str(exc)
        return Imported(instance.instance_id, skipped=reason)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _rmdir(suite_dir / ".import-staging")
    return Imported(instance.instance_id, scenario=name)


def _build(instance: SWEBenchInstance, staging: Path, options: ImportOptions) -> None:
    extras = instance.zebench
    fixture_pin = extras.fixture if extras is not None else None
    if fixture_pin is not None:
        tree = _package_tree(fixture_pin, extras.setup_patch if extras else None, staging)
    else:
        if options.repo is None:
            raise ImportProblem(f"it needs a local clone of {instance.repo} (pass --repo PATH)")
        try:
            options.repo.resolve(instance.base_commit)
        except ZebenchError as exc:
            raise ImportProblem(
                f"base_commit {instance.base_commit[:12]} is not in {options.repo.path}"
            ) from exc
        tree = staging / files.FIXTURE_DIR
        options.repo.export_tree(instance.base_commit, tree)
    _hidden_tests(tree, instance.test_patch, staging / files.HIDDEN_DIR)
    (staging / files.SOLUTION_FILE).write_text(instance.patch, encoding="utf-8", errors="surrogateescape")
    (staging / files.TEST_PATCH_FILE).write_text(
        instance.test_patch, encoding="utf-8", errors="surrogateescape"
    )
    config, command = _config(instance, tree, options)
    (staging / "scenario.yaml").write_text(config, encoding="utf-8")
    if fixture_pin is None:  # where the tree comes from, so the scenario exports again as it came
        origin = files.MinedOrigin(repo=instance.repo, commit="", parent=instance.base_commit,
                                   date=instance.created_at, subject=instance.instance_id, test_command=command)  # fmt: skip
        files.write_origin(staging, origin)
    files.write_prompts(staging, _prompts(instance))
    files.write_oracle_answers(staging)
    if fixture_pin is not None:
        shutil.rmtree(tree, ignore_errors=True)  # the package is fetched from the cache at run time
    # The lists as SWE-bench computed them (repeats 0: not re-run here; zebench check --lock re-locks).
    digest = scenario_digest(load_scenario_dir(staging, staging.parent.parent.name))
    if instance.fail_to_pass or instance.pass_to_pass:
        lock = TestsLock(
            fail_to_pass=instance.fail_to_pass, pass_to_pass=instance.pass_to_pass, digest=digest
        )
        write_lock(staging, lock)


def _package_tree(pin: dict[str, str], setup_patch: str | None, staging: Path) -> Path:
    """The package fixture's files (from the cache, or fetched) in a scratch folder of the staging area."""
    from zebench.packages import materialize_fixture
    from zebench.scenarios.raw_models import RawFixture
    from zebench.scenarios.sources import package_fixture

    if setup_patch:
        (staging / "setup.patch").write_text(setup_patch, encoding="utf-8")
    fixture = package_fixture(RawFixture.model_validate(pin), staging, staging / "scenario.yaml")
    tree = staging / ".package-tree"
    shutil.copytree(materialize_fixture(fixture), tree, symlinks=True)
    return tree


def _hidden_tests(tree: Path, test_patch: str, hidden: Path) -> None:
    """The files ``test_patch`` adds or changes, as they are after it applies to a copy of ``tree``."""
    hidden.mkdir(parents=True, exist_ok=True)  # scenario.yaml names it, even when it stays empty
    if not test_patch.strip():
        return
    paths = sorted({b for _, b in _DIFF_HEADER.findall(test_patch)})
    with tempfile.TemporaryDirectory(prefix="zebench-import-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(tree, copy, symlinks=True)
        proc = subprocess.run(
            ["git", "apply", "--whitespace=nowarn", "-"], cwd=copy, input=test_patch.encode(
                "utf-8", "surrogateescape"), capture_output=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            raise ImportProblem(
                f"test_patch does not apply to base_commit: {detail[0] if detail else 'git apply failed'}"
            )
        for rel in paths:
            source = copy / rel
            if not source.is_file():
                raise ImportProblem(f"test_patch deletes {rel} (hidden tests only add or replace files)")
            target = hidden / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _config(instance: SWEBenchInstance, tree: Path, options: ImportOptions) -> tuple[str, str]:
    """The scenario.yaml text, and its test command."""
    extras = instance.zebench
    commands = list(extras.validation_commands) if extras else []
    python = options.python_pins
    npm = options.npm_pins
    env = dict(extras.env) if extras else {}
    if extras is not None and extras.environment:
        python = python if python is not None else extras.environment.get("python", [])
        npm = npm if npm is not None else extras.environment.get("npm", [])
    if options.test_command or not commands or python is None or npm is None:
        detected = envmod.detect(lambda p: _read(tree, p), _list(tree))
        command = options.test_command or detected.test_command
        if options.test_command or not commands:
            if command is None:
                raise ImportProblem("no test command detected (pass --test-command)")
            commands = [
                {"name": "tests", "kind": "test", "command": command, "timeout": files.VALIDATION_TIMEOUT_S}
            ]
        python = python if python is not None else envmod.pin_python(detected.python)
        npm = npm if npm is not None else envmod.pin_npm(detected.npm)
        env = env or detected.env
    data: dict[str, object] = {
        "name": (extras.title if extras and extras.title else instance.problem_statement.strip().splitlines()[0].lstrip("# "))[:200],
        "description": f"Imported from SWE-bench instance {instance.instance_id} ({instance.repo} at {instance.base_commit}).",
        "source": (extras.source if extras and extras.source else f"{instance.repo}@{instance.base_commit}"),
        "tags": ["swebench"],
        "timeout_minutes": 30,
    }  # fmt: skip
    if extras is not None and extras.fixture is not None:
        data["fixture"] = extras.fixture
    environment = {k: v for k, v in (("python", python), ("npm", npm)) if v}
    if environment:
        data["environment"] = environment
    if env:
        data["env"] = env
    data["validation_commands"] = commands
    data["hidden_tests"] = f"{files.HIDDEN_DIR}/"
    data["evaluators"] = extras.evaluators if extras is not None and extras.evaluators else EVALUATORS
    command = " && ".join(str(c.get("command", "")) for c in commands if c.get("kind") == "test")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), command


def _prompts(instance: SWEBenchInstance) -> dict[str, str]:
    if instance.zebench is not None and instance.zebench.prompts:
        return dict(instance.zebench.prompts)
    statement = instance.problem_statement.strip()
    first = next(
        (line.lstrip("# ").strip() for line in statement.splitlines() if line.strip()), instance.instance_id
    )
    return {"L0": first + "\n", "L1": statement + "\n"}


def _read(tree: Path, rel: str) -> str | None:
    path = tree / rel
    if not path.is_file() or path.is_symlink():
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def _list(tree: Path) -> list[str]:
    return [p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()]


def _rmdir(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        return
