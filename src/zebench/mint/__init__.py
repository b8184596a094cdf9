"""Specialist templates, specialist prompts, snapshots and enrichment.

- ``load_template`` / ``validate_template`` / ``find_template``: JSON5/JSONC templates with ``from``
  inheritance, validated against ``schemas/template.schema.json``; the newest enriched version wins.
- ``build_specialist``: the deterministic system prompt (task detection, prompt selection, mustache,
  ranked documentation) plus the agent and model a specialist run uses.
- ``mint_snapshot`` / ``list_snapshots`` / ``compare_arms``: benchmark evidence with honest statistics.
- ``enrich_template``: LLM metadata for each documentation source.

The store- and LLM-facing parts are imported lazily so that building a prompt stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zebench._lazy import load_lazy
from zebench.mint.schema import SchemaIssue, TemplateValidationError, schema_issues
from zebench.mint.specialist import SpecialistPrompt, agent_for_model, build_specialist, preferred_model
from zebench.mint.task_detection import detect_task
from zebench.mint.template_lookup import TEMPLATES_DIR_ENV, templates_folder
from zebench.mint.templates import (
    Template,
    ValidationReport,
    find_template,
    load_template,
    newest_enriched,
    validate_template,
)

if TYPE_CHECKING:
    from zebench.mint.enrich import EnrichResult, enrich_template
    from zebench.mint.snapshot import MintResult, SnapshotInfo, build_snapshot, list_snapshots, mint_snapshot
    from zebench.mint.stats import ArmComparison, compare, compare_arms

_LAZY = {
    "EnrichResult": "zebench.mint.enrich",
    "enrich_template": "zebench.mint.enrich",
    "MintResult": "zebench.mint.snapshot",
    "SnapshotInfo": "zebench.mint.snapshot",
    "build_snapshot": "zebench.mint.snapshot",
    "list_snapshots": "zebench.mint.snapshot",
    "mint_snapshot": "zebench.mint.snapshot",
    "ArmComparison": "zebench.mint.stats",
    "compare": "zebench.mint.stats",
    "compare_arms": "zebench.mint.stats",
}


def __getattr__(name: str) -> Any:
    return load_lazy(__name__, _LAZY, globals(), name)


__all__ = [
    "TEMPLATES_DIR_ENV",
    "ArmComparison",
    "EnrichResult",
    "MintResult",
    "SchemaIssue",
    "SnapshotInfo",
    "SpecialistPrompt",
    "Template",
    "TemplateValidationError",
    "ValidationReport",
    "agent_for_model",
    "build_snapshot",
    "build_specialist",
    "compare",
    "compare_arms",
    "detect_task",
    "enrich_template",
    "find_template",
    "list_snapshots",
    "load_template",
    "mint_snapshot",
    "newest_enriched",
    "preferred_model",
    "schema_issues",
    "templates_folder",
    "validate_template",
]
