"""One candidate commit to one proven scenario, or to a rejection with its reason.

The steps: split the commit into tests and source; detect the test command and pin the
environment from the parent's tree; write the scenario into a staging folder; compute F2P/P2P
inside the sandbox; write the prompts; prove it as ``zebench check`` does (the oracle passes, echo
fails, validation is stable over the repeats); move it into the suite.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zebench.errors import ZebenchError
from zebench.grading import TestsLock, compute_lock, write_lock
from zebench.llm.types import LLMClient
from zebench.mining import environment as envmod
from zebench.mining import prompts
from zebench.mining import scenario_files as files
from zebench.mining.classify import CommitSplit, split_commit
from zebench.mining.rejections import Rejected, lock_rejection
from zebench.mining.repo import CommitInfo, MiningError, SourceRepo
from zebench.mining.state import Decision
from zebench.packages import prepare_scenario
from zebench.runner.executors import RunnerFactory
from zebench.scenarios import load_scenario_dir
from zebench.scenarios.model import Scenario

STAGING_DIR = ".mining-staging"
# resolved is SWE-bench's verdict on the locked lists; test (the share of passing tests) is shown
# beside it without weight, since tests failing before and after the fix are in neither list.
EVALUATORS = [
    {"name": "resolved", "weight": 3, "required": True},
    {"name": "test", "weight": 0},
    {"name": "integrity", "weight": 1},
]


@dataclass
class LLMPrompts:
    """How L2 prompts are written (``--llm-prompts``): a client per call, and the model."""

    client_factory: Callable[[], LLMClient]
    model: str


@dataclass
class MiningSetup:
    """Everything a candidate needs besides its commit: shared by all of a run's candidates."""

    repo: SourceRepo
    suite_dir: Path
    runner_factory: RunnerFactory
    workspace_root: Path
    test_command: str | None = None
    python_pins: list[str] | None = None  # --environment: used instead of detected pins
    npm_pins: list[str] | None = None
    repeats: int = 3
    llm: LLMPrompts | None = None
    pin_cache: Callable[[str, Callable[[], list[str]]], list[str]] = field(
        default=lambda key, compute: compute()
    )

    @property
    def suite(self) -> str:
        return self.suite_dir.name

    @property
    def project(self) -> str:
        return project_name(self.repo)


def project_name(repo: SourceRepo) -> str:
    url = repo.remote_url() or str(repo.path)
    name = re.sub(r"\.(git|bundle)$", "", url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return name or repo.path.name


def scenario_name(repo: SourceRepo, sha: str) -> str:
    """``<project>-<sha10>`` in kebab-case: stable, so a re-run finds the same folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", project_name(repo).lower()).strip("-") or "repo"
    return f"{slug}-{sha[:10]}"


def mine_candidate(setup: MiningSetup, commit: CommitInfo, name: str | None = None) -> Decision:
    """Try one commit; the decision says whether it was kept (and as which scenario) or why not."""
    started = time.monotonic()
    name = name or scenario_name(setup.repo, commit.sha)
    staging = setup.suite_dir / STAGING_DIR / name
    decision = Decision(commit=commit.sha, subject=commit.subject, status="rejected", reason="")
    try:
        lock = _build_and_prove(setup, commit, name, staging)
        target = setup.suite_dir / "scenarios" / name
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
        decision.status, decision.scenario = "kept", name
        decision.fail_to_pass, decision.pass_to_pass = len(lock.fail_to_pass), len(lock.pass_to_pass)
        decision.reason = (
            f"proven: {len(lock.fail_to_pass)} fail-to-pass, {len(lock.pass_to_pass)} pass-to-pass"
        )
    except Rejected as exc:
        decision.reason = str(exc)
    except ZebenchError as exc:  # the harness or the machine, not the commit: tried again next run
        decision.status, decision.reason = "error", f"error: {exc.one_line()}"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    decision.seconds = round(time.monotonic() - started, 1)
    return decision


def _build_and_prove(setup: MiningSetup, commit: CommitInfo, name: str, staging: Path) -> TestsLock:
    split = split_commit(commit)
    if split.deleted_tests:
        raise Rejected(
            "deletes test files",
            f"{', '.join(split.deleted_tests[:3])} (hidden tests only add or replace files)",
        )
    if not split.tests or not split.source:
        raise Rejected("changes no test file" if not split.tests else "changes no source file")
    detected, python, npm = _environment(setup, commit, split)
    command = setup.test_command
    if command is None and detected.test_command is not None:
        command = envmod.targeted_command(detected.test_command, list(split.tests))
    if command is None:
        raise Rejected("no test command detected", "pass --test-command")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    patch = files.write_sources(setup.repo, commit, staging, tests=split.tests, non_test=split.non_test)
    if prompts.leaked_lines(prompts.l0_prompt(commit.subject), patch):
        raise Rejected("the commit subject quotes the fix")
    _write_config(setup, commit, staging, command, python, npm, detected)
    files.write_prompts(staging, {"L0": prompts.l0_prompt(commit.subject)})
    files.write_oracle_answers(staging)
    files.write_origin(staging, _origin(setup, commit, split, command, detected.notes))
    lock = _lock(_load(staging, setup.suite), setup)
    write_lock(staging, lock)
    _write_tier_prompts(setup, commit, staging, split, patch, lock)
    _prove(_load(staging, setup.suite), setup)
    return lock


def _lock(scenario: Scenario, setup: MiningSetup) -> TestsLock:
    """F2P/P2P locked over the repeats, after one pass of each tree that most candidates fail.

    A fail-to-pass test must fail in every pristine run and pass in every solved one, so when the
    first pair of runs has none, the repeats cannot find one: the commit is rejected at a third of
    the cost (most commits of a history are refactors, features or fixes their tests do not catch).
    """

    def run(repeats: int) -> TestsLock:
        return compute_lock(
            scenario,
            workspace_root=setup.workspace_root,
            runner_factory=setup.runner_factory,
            repeats=repeats,
        )

    if setup.repeats > 1 and not (screen := run(1)).fail_to_pass:
        raise lock_rejection(screen)
    lock = run(setup.repeats)
    if lock.problems:  # an empty F2P is one of them, after the reasons that explain it
        raise lock_rejection(lock)
    return lock


def detect_commit(repo: SourceRepo, commit: CommitInfo, split: CommitSplit) -> envmod.Detected:
    """The test command and requirements of what the tests run in: the parent's tree with the
    commit's test files laid over it (their style decides the runner when nothing is declared)."""
    tests = set(split.tests)

    def read(path: str) -> str | None:
        data = repo.show_file(commit.sha if path in tests else commit.parent, path)
        return data.decode("utf-8", errors="replace") if data is not None else None

    files = sorted({*repo.list_files(commit.parent), *split.tests})
    return envmod.detect(read, files, tests_run=split.tests)


def _environment(
    setup: MiningSetup, commit: CommitInfo, split: CommitSplit
) -> tuple[envmod.Detected, list[str], list[str]]:
    detected = detect_commit(setup.repo, commit, split)
    try:
        python = (
            setup.python_pins
            if setup.python_pins is not None
            else setup.pin_cache(
                "python:" + "\n".join(sorted(detected.python)), lambda: envmod.pin_python(detected.python)
            )
        )
        npm = (
            setup.npm_pins
            if setup.npm_pins is not None
            else setup.pin_cache(
                "npm:" + json.dumps(detected.npm, sort_keys=True), lambda: envmod.pin_npm(detected.npm)
            )
        )
    except MiningError as exc:
        raise Rejected("the dependencies cannot be pinned", exc.message) from exc
    return detected, python, npm


def _write_config(
    setup: MiningSetup,
    commit: CommitInfo,
    staging: Path,
    command: str,
    python: list[str],
    npm: list[str],
    detected: envmod.Detected,
) -> None:
    origin = setup.repo.remote_url() or setup.project
    text = files.scenario_yaml(
        title=prompts.clean_subject(commit.subject) or commit.sha[:10],
        description=(
            f"Mined from commit {commit.sha} of {setup.project}: the fixture is its parent's tree, the "
            "solution its non-test changes, the hidden tests the test files it adds or changes."
        ),
        source=f"{origin}@{commit.sha}",
        test_command=command,
        python=python,
        npm=npm,
        env=detected.env,
        tags=["mined", setup.project],
        evaluators=EVALUATORS,
    )
    (staging / "scenario.yaml").write_text(text, encoding="utf-8")


def _origin(
    setup: MiningSetup, commit: CommitInfo, split: CommitSplit, command: str, notes: list[str]
) -> files.MinedOrigin:
    return files.MinedOrigin(
        repo=setup.project,
        repo_url=setup.repo.remote_url(),
        commit=commit.sha,
        parent=commit.parent,
        date=commit.date,
        subject=commit.subject,
        test_files=list(split.tests),
        source_files=list(split.non_test),
        test_command=command,
        notes=notes,
    )


def _load(staging: Path, suite: str) -> Scenario:
    scenario = load_scenario_dir(staging, suite)
    try:
        prepare_scenario(scenario)
    except ZebenchError as exc:
        raise Rejected("the test environment cannot be built", exc.message) from exc
    return scenario


def _write_tier_prompts(
    setup: MiningSetup, commit: CommitInfo, staging: Path, split: CommitSplit, patch: str, lock: TestsLock
) -> None:
    tiers = {
        "L0": prompts.l0_prompt(commit.subject),
        "L1": prompts.l1_prompt(setup.project, commit.subject, commit.body, lock.fail_to_pass, patch),
    }
    notes: list[str] = []
    if setup.llm is not None:
        text, why = prompts.l2_prompt(
            setup.llm.client_factory,
            setup.llm.model,
            project=setup.project,
            subject=commit.subject,
            body=commit.body,
            fail_to_pass=lock.fail_to_pass,
            files=list(split.source),
            patch=patch,
        )
        if text is not None:
            tiers["L2"] = text
        elif why:
            notes.append(why)
    for tier, text in tiers.items():
        if prompts.leaked_lines(text, patch):  # report_body already drops such lines: a bug if reached
            raise Rejected(f"the {tier} prompt would quote the fix")
    files.write_prompts(staging, tiers)


def _prove(scenario: Scenario, setup: MiningSetup) -> None:
    from zebench.runner.proof import prove_scenario

    proof = prove_scenario(
        scenario, setup.workspace_root, repeats=setup.repeats, runner_factory=setup.runner_factory
    )
    if not proof.ok:
        raise Rejected("not proven", "; ".join(proof.problems))
