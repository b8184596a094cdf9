"""A scenario's fail-to-pass / pass-to-pass lists: inline in scenario.yaml, or ``tests.lock.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zebench.errors import ScenarioError
from zebench.scenarios.raw_models import Sourced

LOCK_FILE = "tests.lock.json"  # written by zebench.grading.lock


class TestsLock(BaseModel):
    """``tests.lock.json``: the F2P/P2P lists ``zebench check --lock`` computed, and why it could not.

    ``problems`` empty means the scenario is locked: every F2P test failed on the pristine fixture
    and passed with the solution, in every repeat; every P2P test passed in both trees; ``flaky``
    tests changed status between repeats and are in neither list. ``digest`` fingerprints the
    inputs (validation commands, hidden tests, solution, fixture), so a stale lock is noticed.
    """

    __test__ = False  # not a pytest test class, despite the name
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    fail_to_pass: list[str] = Field(default_factory=list)
    pass_to_pass: list[str] = Field(default_factory=list)
    flaky: list[str] = Field(default_factory=list)
    repeats: int = 0
    digest: str = ""
    problems: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_lock(path: Path) -> TestsLock:
    """Read a ``tests.lock.json``; a malformed one is a ScenarioError naming the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read the lock: {exc.strerror}", file=path) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            f"invalid JSON: {exc}", file=path, hint="rewrite it with zebench check --lock"
        ) from None
    try:
        lock = TestsLock.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ScenarioError(
            first["msg"], file=path, field=field, hint="rewrite it with zebench check --lock"
        ) from None
    if lock.problems:
        raise ScenarioError(
            "a lock file cannot hold problems",
            file=path,
            field="problems",
            hint="rewrite it with zebench check --lock",
        )
    return lock


def graded_test_fields(raw: Sourced, *, directory: Path, config_file: Path) -> dict[str, Any]:
    """The Scenario fields holding the lists; both the inline keys and a lock file is an error."""
    lock_file = directory / LOCK_FILE
    inline = raw.fail_to_pass is not None or raw.pass_to_pass is not None
    if not lock_file.exists():
        return {"fail_to_pass": raw.fail_to_pass or [], "pass_to_pass": raw.pass_to_pass or []}
    if inline:
        key = "fail_to_pass" if raw.fail_to_pass is not None else "pass_to_pass"
        raise ScenarioError(
            f"both {key}: in {config_file.name} and {LOCK_FILE} say which tests grade the scenario",
            file=config_file,
            field=key,
            hint=f"keep one: remove the {key}/pass_to_pass keys or the file {lock_file}",
        )
    lock = load_lock(lock_file)
    return {
        "fail_to_pass": lock.fail_to_pass,
        "pass_to_pass": lock.pass_to_pass,
        "flaky_tests": lock.flaky,
        "tests_lock_file": lock_file,
        "tests_lock_digest": lock.digest,
    }
