"""``dependencies``: are the scenario's target dependency versions declared everywhere they appear?

A target is met when it is declared at least once and every declaration's lowest admitted version
satisfies the target range — an npm range for package.json, a PEP 440 specifier for Python files.
Checking every declaration (not only the root's) catches a half-done upgrade in a monorepo.

With ``every_package: true`` (the original ze-benchmarks rule, which checked the root and each
workspace package), an npm target must also be declared in every package.json of the workspace.
"""

from __future__ import annotations

from typing import Any

import semantic_version as sv
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from zebench.evaluators.base import EvaluationContext, register_evaluator
from zebench.evaluators.builtin._base import BaseEvaluator
from zebench.evaluators.builtin.declarations import Declaration, find_declarations, npm_manifests
from zebench.results.models import EvaluationResult
from zebench.scenarios.model import DependencyTarget


def npm_satisfies(version: str, target_range: str) -> bool:
    """Whether an npm version satisfies an npm range (^, ~, x-ranges, hyphens, ||, comparators)."""
    return sv.NpmSpec(target_range).match(sv.Version(version))


def pep440_satisfies(version: str, target_spec: str) -> bool:
    """Whether a Python version satisfies a PEP 440 specifier; a bare version means ``==``."""
    spec = target_spec.strip()
    if spec and spec[0].isdigit():
        spec = f"=={spec}"
    return SpecifierSet(spec).contains(Version(version), prereleases=True)


def judge_declaration(decl: Declaration, target: DependencyTarget) -> str | None:
    """None when the declaration meets the target, else why not."""
    if decl.version is None:
        return f"declared as {decl.spec or '(no version)'!r}, whose version is unknown"
    try:
        if decl.ecosystem == "npm":
            ok = npm_satisfies(decl.version, target.to)
        else:
            ok = pep440_satisfies(decl.version, target.to)
    except (ValueError, InvalidSpecifier, InvalidVersion) as exc:
        kind = "an npm range" if decl.ecosystem == "npm" else "a PEP 440 specifier"
        return f"target {target.to!r} is not {kind}: {exc}"
    if ok:
        return None
    return f"declared {decl.spec!r} (lowest {decl.version}) does not satisfy {target.to!r}"


def judge_target(
    target: DependencyTarget,
    declarations: list[Declaration],
    required: bool,
    every_manifest: list[str] | None = None,
) -> dict[str, Any]:
    """The verdict on one target and every declaration of it, for the details.

    ``every_manifest`` lists package.json files that must each declare an npm target.
    """
    python_name = canonicalize_name(target.name)
    mine = [d for d in declarations if d.name == (target.name if d.ecosystem == "npm" else python_name)]
    rows = []
    for decl in mine:
        why = judge_declaration(decl, target)
        rows.append({**decl.model_dump(), "ok": why is None, "reason": why})
    reason: str | None
    if not mine:
        reason = f"{target.name} is not declared anywhere"
    else:
        failures = [f"{r['file']} ({r['section']}): {r['reason']}" for r in rows if not r["ok"]]
        is_npm = any(d.ecosystem == "npm" for d in mine)
        declared_in = {d.file for d in mine}
        if every_manifest and is_npm:
            failures += [f"{m}: not declared" for m in every_manifest if m not in declared_in]
        reason = "; ".join(failures) if failures else None
    return {
        "name": target.name,
        "to": target.to,
        "required": required,
        "met": reason is None,
        "reason": reason,
        "declarations": rows,
    }


@register_evaluator("dependencies")
class DependenciesEvaluator(BaseEvaluator):
    """Score = required targets met / required targets; optional targets are reported only."""

    name = "dependencies"

    def run(self, ctx: EvaluationContext) -> EvaluationResult:
        targets = ctx.scenario.targets
        everything = [*targets.required, *targets.optional]
        if not everything:
            return self.skipped(ctx, "no dependency targets configured")
        declarations = find_declarations(ctx.workspace, [t.name for t in everything])
        manifests = npm_manifests(ctx.workspace) if ctx.spec.config.get("every_package") else None
        required = [judge_target(t, declarations, True, manifests) for t in targets.required]
        optional = [judge_target(t, declarations, False, manifests) for t in targets.optional]
        details = {"required": required, "optional": optional}
        if not required:
            return self.skipped(ctx, "no required dependency targets (optional ones are reported)", details)
        met = sum(t["met"] for t in required)
        summary = f"{met}/{len(required)} required dependency targets met"
        missed = [t["name"] for t in required if not t["met"]]
        if missed:
            summary += f"; not met: {', '.join(missed)}"
        return self.scored(ctx, met / len(required), passed=not missed, summary=summary, details=details)
