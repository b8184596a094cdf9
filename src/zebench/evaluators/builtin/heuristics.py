"""``heuristic_checks``: the original's five kinds of checks, weighted, confined to the workspace.

Unlike the original, patterns are multiline regexes, ``should_match: false`` and ``exists: false``
work, and structured checks use real JSONPath (``$.paths['/users'].get``) over JSON, YAML or TOML.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator, output_tail
from zebench.results.models import EvaluationResult
from zebench.safefs import UnsafeFileError, path_kind, read_text
from zebench.safefs.glob import check_inside, confined, iter_matching_files
from zebench.scenarios.model import (
    HeuristicCommand,
    HeuristicFile,
    HeuristicPattern,
    HeuristicScript,
    HeuristicStructured,
)

HEURISTIC_TIMEOUT_S = 300.0
_MAX_PATTERN_FILE_BYTES = 5 * 1024 * 1024


class CheckOutcome(BaseModel):
    """The verdict on one heuristic check, as reported in the evaluator's details."""

    kind: str
    name: str
    weight: float
    passed: bool
    error: str | None = None
    description: str | None = None


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "").strip()


def check_command(ctx: EvaluationContext, check: HeuristicCommand) -> str | None:
    """Run a shell command in the workspace; None when it exited 0, else why it failed."""
    result = ctx.command_runner.run(
        check.command,
        ctx.workspace,
        name=check.name,
        kind="custom",
        timeout_s=HEURISTIC_TIMEOUT_S,
        env=ctx.scenario.env,
    )
    if result.ok:
        return None
    if result.timed_out or result.exit_code is None:
        return result.error or "command did not run"
    return f"exit {result.exit_code}: {output_tail(result, 5) or 'no output'}"


def check_file(workspace: Path, check: HeuristicFile) -> str | None:
    """A file or folder must exist, or with ``exists: false`` must be absent.

    A symlink out of the workspace or a mount point does not count as present.
    """
    present = path_kind(workspace, check_inside(check.path)) is not None
    if present == check.exists:
        return None
    return f"{check.path} does not exist" if check.exists else f"{check.path} exists but must not"


def check_pattern(workspace: Path, check: HeuristicPattern) -> str | None:
    """Some file matching the glob contains the regex, or with ``should_match: false`` none does."""
    regex = re.compile(check.pattern, re.MULTILINE)
    files = list(iter_matching_files(workspace, check.file))
    if not files:
        return f"no files matched {check.file}"
    hits = []
    for rel in files:
        try:
            text = read_text(workspace, rel, max_bytes=_MAX_PATTERN_FILE_BYTES)
        except (UnsafeFileError, OSError):
            continue  # too large, a FIFO, a link out of the workspace: never read
        if regex.search(text):
            hits.append(rel)
    if check.should_match:
        return None if hits else f"no file matching {check.file} contains /{check.pattern}/"
    return f"/{check.pattern}/ found in {', '.join(hits[:5])}" if hits else None


def load_structured(name: str, text: str) -> Any:
    """Parse the text of a JSON, YAML or TOML file, chosen by the extension of ``name``
    (JSON with comments allowed)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    if suffix == ".toml":
        return tomllib.loads(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # tsconfig.json and friends allow comments and trailing commas.
        import json5  # only for such files

        return json5.loads(text)


def _has_section(text: str, header: str) -> bool:
    wanted = header.strip().lstrip("#").strip().lower()
    return any(
        line.lstrip().startswith("#") and wanted in line.lstrip().lstrip("#").strip().lower()
        for line in text.splitlines()
    )


def check_structured(workspace: Path, check: HeuristicStructured) -> str | None:
    """A JSONPath in a data file, or a markdown section header, is present (or absent) / equal."""
    try:
        text = read_text(workspace, check_inside(check.file), max_bytes=_MAX_PATTERN_FILE_BYTES)
    except FileNotFoundError:
        return f"{check.file} does not exist"
    except UnsafeFileError as exc:
        return f"{check.file} was not read: {exc.why}"
    except OSError as exc:
        return f"{check.file} was not read: {exc.strerror or exc}"
    if check.section_header is not None:
        found = _has_section(text, check.section_header)
        if found == check.exists:
            return None
        return (
            f"no header containing {check.section_header!r}"
            if check.exists
            else f"a header containing {check.section_header!r} exists but must not"
        )
    if check.json_path is None:
        return None
    # Imported here: jsonpath_ng (with its ply parser, ~10 ms) serves only JSONPath checks.
    from jsonpath_ng.ext import parse as jsonpath_parse

    values = [m.value for m in jsonpath_parse(check.json_path).find(load_structured(check.file, text))]
    if not check.exists:
        return None if not values else f"{check.json_path} exists but must not"
    if not values:
        return f"{check.json_path} not found in {check.file}"
    if check.equals is not None and check.equals not in values:
        return f"{check.json_path} is {values[0]!r}, expected {check.equals!r}"
    return None


def check_script(ctx: EvaluationContext, check: HeuristicScript) -> str | None:
    """Run a workspace script directly (no shell parsing of its arguments); pass on exit 0."""
    if path_kind(ctx.workspace, check_inside(check.script)) != "file":
        return f"script {check.script} does not exist"
    script = confined(ctx.workspace, check.script)  # run by the (sandboxed) command runner, never read
    substitutions = {"${scenario.id}": ctx.scenario.id, "${scenario.suite}": ctx.scenario.suite}
    args = []
    for arg in check.args:
        for key, value in substitutions.items():
            arg = arg.replace(key, value)
        args.append(arg)
    # The runner always goes through a shell; quoting every word makes that equivalent to exec.
    command = shlex.join([str(script), *args])
    result = ctx.command_runner.run(
        command,
        ctx.workspace,
        name=check.name,
        kind="custom",
        timeout_s=HEURISTIC_TIMEOUT_S,
        env=ctx.scenario.env,
    )
    if result.ok:
        return None
    if result.timed_out or result.exit_code is None:
        return result.error or "script did not run"
    return f"exit {result.exit_code}: {output_tail(result, 5) or 'no output'}"


def _run_check(ctx: EvaluationContext, kind: str, check: Any) -> CheckOutcome:
    try:
        if kind == "commands":
            error = check_command(ctx, check)
        elif kind == "files":
            error = check_file(ctx.workspace, check)
        elif kind == "patterns":
            error = check_pattern(ctx.workspace, check)
        elif kind == "structured":
            error = check_structured(ctx.workspace, check)
        else:
            error = check_script(ctx, check)
    except Exception as exc:  # one bad check (bad regex, unparsable file) fails alone
        error = f"{type(exc).__name__}: {_first_line(str(exc)) or exc!r}"
    return CheckOutcome(
        kind=kind,
        name=check.name,
        weight=check.weight,
        passed=error is None,
        error=error,
        description=check.description,
    )


@register_evaluator("heuristic_checks")
class HeuristicChecksEvaluator(BaseEvaluator):
    """Score = Σ weight of passed checks / Σ weight of all checks."""

    name = "heuristic_checks"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        checks = ctx.scenario.heuristic_checks
        if checks is None or not checks.enabled or checks.count == 0:
            return self.skipped(ctx, "no heuristic checks configured")
        outcomes: list[CheckOutcome] = []
        for kind in ("commands", "files", "patterns", "structured", "scripts"):
            for check in getattr(checks, kind):
                outcomes.append(_run_check(ctx, kind, check))
        total_weight = sum(o.weight for o in outcomes)
        passed_weight = sum(o.weight for o in outcomes if o.passed)
        n_passed = sum(o.passed for o in outcomes)
        # All-zero weights would divide by zero; fall back to counting checks.
        score = passed_weight / total_weight if total_weight > 0 else n_passed / len(outcomes)
        failed = [o.name for o in outcomes if not o.passed]
        summary = f"{n_passed}/{len(outcomes)} checks passed"
        if failed:
            summary += f"; failed: {', '.join(failed[:5])}" + (" …" if len(failed) > 5 else "")
        return self.scored(
            ctx,
            score,
            passed=not failed,
            summary=summary,
            details={
                "checks": [o.model_dump() for o in outcomes],
                "passed": n_passed,
                "total": len(outcomes),
            },
        )
