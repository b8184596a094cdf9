"""The specialist side of ``zebench bench``: specialist runs, and minting or enriching afterwards."""

from __future__ import annotations

import os
from pathlib import Path

from zebench.cli.context import err_console, open_results
from zebench.runner.pipeline import RunSpec
from zebench.runner.specialist import apply_specialist


def _templates_dir(templates_dir: Path | None) -> Path | None:
    if templates_dir is not None:
        return templates_dir
    default = Path("templates")
    return default if default.is_dir() else None


def with_specialist(
    specs: list[RunSpec],
    template: str,
    *,
    templates_dir: Path | None,
    agent: str | None,
    model: str | None,
) -> list[RunSpec]:
    """Each spec as a specialist run; an explicit --agent/--model beats the template's preference."""
    folder = _templates_dir(templates_dir)
    return [
        apply_specialist(spec, template, templates_dir=folder, agent_override=agent, model_override=model)
        for spec in specs
    ]


def after_batch(
    batch_id: str,
    db: str | None,
    mint_template: str | None,
    mint_output: Path | None,
    enrich_template: str | None,
    templates_dir: Path | None,
    *,
    as_json: bool,
) -> None:
    """The design's one-command workflow: mint a snapshot and/or enrich a template after the runs."""
    folder = _templates_dir(templates_dir)
    if mint_template and mint_output:
        from zebench.mint import mint_snapshot

        with open_results(db) as store:
            result = mint_snapshot(
                mint_template, batch_id=batch_id, output_dir=mint_output, store=store, templates_dir=folder
            )
        if not as_json:
            err_console.print(f"minted {result.path} (verdict: {result.comparison.verdict})")
    if enrich_template:
        from zebench.mint import enrich_template as enrich

        outcome = enrich(
            enrich_template,
            provider="anthropic" if os.environ.get("ENRICHMENT_PROVIDER") == "anthropic" else "openrouter",
            model=os.environ.get("ENRICHMENT_MODEL"),
            concurrency=3,
            force=False,
            timeout=30.0,
            templates_dir=folder,
        )
        if not as_json:
            err_console.print(
                f"enriched {outcome.enriched}, skipped {outcome.skipped}, failed {outcome.failed}"
                + (f" → {outcome.path}" if outcome.path else "")
            )
