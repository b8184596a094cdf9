"""The mining state file and report: what was decided about each commit, and why.

``mining-state.json`` in the output suite records every decided commit as soon as it is decided
(written to a temporary file and renamed, under a lock shared by the worker threads), so an
interrupted ``zebench mine`` resumes where it stopped. ``mining-report.md`` and ``.json`` are
rebuilt from it at the end of every run.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from zebench.errors import ZebenchError

STATE_FILE = "mining-state.json"
REPORT_MD = "mining-report.md"
REPORT_JSON = "mining-report.json"
STATE_VERSION = 1


class Decision(BaseModel):
    """What became of one candidate commit."""

    commit: str
    subject: str
    status: Literal["kept", "rejected", "error"]  # an error is not a decision: the next run tries again
    reason: str  # for a kept commit, a one-line summary of its proof
    scenario: str | None = None
    fail_to_pass: int = 0
    pass_to_pass: int = 0
    seconds: float = 0.0


class MiningState(BaseModel):
    """Every decision of every run of ``zebench mine`` into one suite, by commit id."""

    version: int = STATE_VERSION
    repo: str
    decisions: dict[str, Decision] = Field(default_factory=dict)
    pins: dict[str, list[str]] = Field(default_factory=dict)  # resolved requirement sets, reused


class StateFile:
    """The state of one output suite, saved after every decision; safe to share between threads."""

    def __init__(self, suite_dir: Path, repo: str) -> None:
        self.path = suite_dir / STATE_FILE
        self._lock = threading.Lock()
        if self.path.is_file():
            try:
                self.state = MiningState.model_validate_json(self.path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ZebenchError(
                    "the mining state file is not valid",
                    file=self.path,
                    hint="delete it to start over (decided commits will be examined again)",
                ) from exc
            if self.state.repo != repo:
                raise ZebenchError(
                    f"the suite was mined from '{self.state.repo}', not '{repo}'",
                    file=self.path,
                    hint="choose another --output suite for this repository",
                )
        else:
            self.state = MiningState(repo=repo)

    def decided(self, sha: str) -> bool:
        with self._lock:
            known = self.state.decisions.get(sha)
            return known is not None and known.status != "error"

    def record(self, decision: Decision) -> None:
        with self._lock:
            self.state.decisions[decision.commit] = decision
            self._save()

    def pins(self, key: str) -> list[str] | None:
        with self._lock:
            return self.state.pins.get(key)

    def remember_pins(self, key: str, pins: list[str]) -> None:
        with self._lock:
            self.state.pins[key] = pins
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(self.state.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


class MiningReport(BaseModel):
    """The report of a mined suite: counts, reasons and every decision, newest commit first."""

    repo: str
    suite: str
    kept: int
    rejected: int
    seconds: float
    reasons: dict[str, int]  # rejection reason (its kind) -> commits
    not_candidates: dict[str, int] = Field(default_factory=dict)  # commits that change no test or no source
    decisions: list[Decision]


def reason_kind(reason: str) -> str:
    """A rejection reason without its specifics, for counting (``the oracle … : detail`` -> before ':')."""
    return reason.split(":", 1)[0].strip()


def build_report(state: MiningState, suite: str, order: list[str], seconds: float) -> MiningReport:
    ranked = {sha: i for i, sha in enumerate(order)}
    decisions = sorted(state.decisions.values(), key=lambda d: ranked.get(d.commit, len(ranked)))
    rejected = [d for d in decisions if d.status != "kept"]
    reasons = Counter(reason_kind(d.reason) for d in rejected)
    return MiningReport(
        repo=state.repo,
        suite=suite,
        kept=len(decisions) - len(rejected),
        rejected=len(rejected),
        seconds=round(seconds, 1),
        reasons=dict(reasons.most_common()),
        decisions=decisions,
    )


def write_report(report: MiningReport, suite_dir: Path) -> tuple[Path, Path]:
    """Write ``mining-report.json`` and ``mining-report.md``; returns both paths."""
    json_path = suite_dir / REPORT_JSON
    json_path.write_text(json.dumps(report.model_dump(), indent=2) + "\n", encoding="utf-8")
    md_path = suite_dir / REPORT_MD
    md_path.write_text(report_markdown(report), encoding="utf-8")
    return md_path, json_path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(report: MiningReport) -> str:
    lines = [
        f"# Mining report: {report.suite}",
        "",
        f"Repository `{report.repo}`: {report.kept} kept, {report.rejected} rejected, "
        f"{report.seconds:.0f} s of mining in the last run.",
        "",
    ]
    if report.reasons:
        lines += ["| rejected because | commits |", "|---|---|"]
        lines += [f"| {_cell(kind)} | {count} |" for kind, count in report.reasons.items()]
        lines.append("")
    if report.not_candidates:
        skipped = ", ".join(f"{count} {kind}" for kind, count in report.not_candidates.items())
        lines += [f"Not candidates (not examined): {skipped}.", ""]
    lines += [
        "| commit | subject | decision | scenario | F2P | P2P | reason |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in report.decisions:
        lines.append(
            f"| {d.commit[:10]} | {_cell(d.subject[:70])} | {d.status} | {d.scenario or ''} | "
            f"{d.fail_to_pass or ''} | {d.pass_to_pass or ''} | {_cell(d.reason)} |"
        )
    return "\n".join(lines) + "\n"
