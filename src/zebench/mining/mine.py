"""``zebench mine``: every candidate commit of a history, in parallel, resumable, with a report."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from zebench.commands.runner import CommandRunner, LocalCommandRunner
from zebench.mining.candidate import STAGING_DIR, MiningSetup, mine_candidate
from zebench.mining.classify import candidate_problem, split_commit
from zebench.mining.repo import CommitInfo, MiningError
from zebench.mining.state import Decision, MiningReport, StateFile, build_report, write_report
from zebench.runner.executors import RunnerFactory
from zebench.scenarios.model import Scenario


@dataclass
class CandidateFilter:
    """Which commits are examined: ``--since``, ``--paths``, ``--max-files``, ``--limit``, from ``rev``."""

    rev: str = "HEAD"
    since: str | None = None
    paths: list[str] = field(default_factory=list)
    max_files: int | None = None
    limit: int | None = None


@dataclass
class CandidateList:
    """The candidates in order (newest first), and why the other commits are not candidates."""

    candidates: list[CommitInfo]
    too_big: list[tuple[CommitInfo, str]]  # changes tests and source but too many files: rejected
    not_candidates: Counter[str]  # reason -> commits (no tests, no source): counted, not listed


def list_candidates(setup: MiningSetup, selection: CandidateFilter) -> CandidateList:
    """Non-merge commits that change both tests and source, newest first, at most ``limit``."""
    found = CandidateList([], [], Counter())
    for commit in setup.repo.commits(rev=selection.rev, since=selection.since, paths=selection.paths):
        if selection.limit is not None and len(found.candidates) + len(found.too_big) >= selection.limit:
            break
        split = split_commit(commit)
        problem = candidate_problem(split, max_files=None)
        if problem is not None:
            found.not_candidates[problem] += 1
            continue
        too_big = candidate_problem(split, max_files=selection.max_files)
        if too_big is not None:
            found.too_big.append((commit, too_big))
        else:
            found.candidates.append(commit)
    return found


def mine(
    setup: MiningSetup,
    selection: CandidateFilter,
    *,
    parallel: int = 1,
    on_total: Callable[[int, int], None] = lambda todo, done: None,
    on_decision: Callable[[Decision], None] = lambda decision: None,
    cancel: threading.Event | None = None,
) -> MiningReport:
    """Mine every undecided candidate into ``setup.suite_dir``; returns the report (also written).

    Decisions are saved one by one in the suite's state file, so an interrupted run resumes with
    the commits it had not decided; ``on_total(todo, already_decided)`` is told once, then
    ``on_decision`` after each commit. ``cancel`` stops taking new candidates.
    """
    if parallel < 1:
        raise MiningError(f"--parallel must be at least 1, got {parallel}", field="--parallel")
    started = time.monotonic()
    setup.suite_dir.mkdir(parents=True, exist_ok=True)
    state = StateFile(setup.suite_dir, setup.project)
    cancel = cancel or threading.Event()
    setup = dataclasses.replace(
        setup, pin_cache=_pin_cache(state), runner_factory=_cancellable(setup.runner_factory, cancel)
    )
    found = list_candidates(setup, selection)
    for commit, why in found.too_big:
        if not state.decided(commit.sha):
            state.record(Decision(commit=commit.sha, subject=commit.subject, status="rejected", reason=why))
    todo = [c for c in found.candidates if not state.decided(c.sha)]
    on_total(len(todo), len(found.candidates) - len(todo))
    try:
        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="zebench-mine") as pool:
            futures = [pool.submit(_one, setup, state, commit, cancel) for commit in todo]
            try:
                for future in as_completed(futures):
                    decision = future.result()
                    if decision is not None:
                        on_decision(decision)
            except BaseException:
                cancel.set()  # not started: dropped; running: their commands are killed, not recorded
                for future in futures:
                    future.cancel()
                raise
    finally:
        order = [c.sha for c in found.candidates] + [c.sha for c, _ in found.too_big]
        report = build_report(state.state, setup.suite, order, time.monotonic() - started)
        report.not_candidates = dict(found.not_candidates)
        write_report(report, setup.suite_dir)
        _remove_empty(setup.suite_dir / STAGING_DIR)
    return report


def _one(
    setup: MiningSetup, state: StateFile, commit: CommitInfo, cancel: threading.Event
) -> Decision | None:
    if cancel.is_set():
        return None
    decision = mine_candidate(setup, commit)
    if cancel.is_set():
        return None  # interrupted part-way: decided next time
    state.record(decision)
    return decision


def _cancellable(factory: RunnerFactory, cancel: threading.Event) -> RunnerFactory:
    """Runners whose running command is killed once ``cancel`` is set.

    Sandboxed commands run in a session of their own, out of reach of the terminal's Ctrl-C: without
    this, an interrupted run would wait for every running candidate to finish its tests.
    """

    def make(scenario: Scenario) -> CommandRunner:
        runner = factory(scenario)
        return runner.with_cancel(cancel) if isinstance(runner, LocalCommandRunner) else runner

    return make


def _pin_cache(state: StateFile) -> Callable[[str, Callable[[], list[str]]], list[str]]:
    """Resolved pins per requirement set, kept in the state file: one pip resolution per set."""
    lock = threading.Lock()

    def cached(key: str, compute: Callable[[], list[str]]) -> list[str]:
        with lock:  # one resolution at a time: parallel candidates mostly share one set
            known = state.pins(key)
            if known is None:
                known = compute()
                state.remember_pins(key, known)
            return known

    return cached


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: a candidate is still being built elsewhere
        folder.rmdir()
