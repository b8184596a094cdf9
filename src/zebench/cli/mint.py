"""``zebench mint``: validate templates, mint snapshots from a batch, enrich documentation."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from zebench.cli.context import API_KEY_ENV, console, err_console, open_results
from zebench.store.base import ResultStore

mint_app = typer.Typer(
    help="Specialist templates: validate, mint snapshots, enrich documentation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

TemplateArg = Annotated[
    str, typer.Argument(help="A template file, or a template name looked up in --templates-dir.")
]
TemplatesDirOption = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        envvar="ZEBENCH_TEMPLATES_DIR",
        help="Where template names are looked up (default ./templates).",
    ),
]


@mint_app.command()
def validate(
    template: TemplateArg,
    templates_dir: TemplatesDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the resolved template as JSON.")] = False,
) -> None:
    """Check a template against the schema and list every error by its JSON path."""
    from zebench.mint.schema import schema_issues
    from zebench.mint.templates import resolve_file, validate_template

    report = validate_template(template, templates_dir=templates_dir)
    if report.issues:
        err_console.print(
            f"[bold red]✗[/bold red] {report.path}: {len(report.issues)} schema error(s)", soft_wrap=True
        )
        for issue in report.issues:
            err_console.print(f"  {issue.path}: {issue.message}", soft_wrap=True, markup=False)
        raise typer.Exit(2)
    if as_json:
        print(json.dumps(report.resolved, indent=2, ensure_ascii=False))
        return
    data = report.resolved
    console.print(f"[green]✓[/green] {report.path}: valid ({data['name']} {data['version']})", soft_wrap=True)
    if report.enriched_path is not None:
        enriched_issues = schema_issues(resolve_file(report.enriched_path), "template")
        state = "valid" if not enriched_issues else f"{len(enriched_issues)} schema error(s)"
        console.print(
            f"  newest enriched version (used for runs): {report.enriched_path} ({state})", soft_wrap=True
        )


@contextmanager
def _store(server: str | None, db: str | None) -> Iterator[ResultStore]:
    if server:
        from zebench.client import RemoteStore

        store: ResultStore = RemoteStore(server, api_key=os.environ.get(API_KEY_ENV))
        try:
            yield store
        finally:
            store.close()
        return
    with open_results(db) as opened:
        yield opened


@mint_app.command()
def snapshot(
    template: TemplateArg,
    batch_id: Annotated[
        str,
        typer.Option(
            "--batch-id",
            help="The batch with baseline and specialist runs (or a unique start or end of its id).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", help="Snapshots folder: <output>/<name>/<version>/.")],
    server: Annotated[
        str | None, typer.Option("--server", help="Read the batch from this results server.")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Read the batch from this database URL.")] = None,
    templates_dir: TemplatesDirOption = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the bootstrap and permutation resampling.")
    ] = 0,
    resamples: Annotated[int, typer.Option("--resamples", min=100, help="Bootstrap resamples.")] = 10_000,
) -> None:
    """Mint a snapshot: the template plus the batch's evidence, as the next snapshot-NNN.json5."""
    from zebench.mint.snapshot import mint_snapshot

    with _store(server, db) as store:
        result = mint_snapshot(
            template,
            batch_id=store.resolve_id("batch", batch_id),
            output_dir=output,
            store=store,
            templates_dir=templates_dir,
            seed=seed,
            resamples=resamples,
        )
    c = result.comparison
    console.print(f"[green]✓[/green] snapshot {result.snapshot_id} minted: {result.path}", soft_wrap=True)
    console.print(f"  template {result.name} {result.version} ({result.template_source})", soft_wrap=True)
    console.print(
        f"  baseline {_fmt(c.baseline_avg_score)} (n={c.n_baseline})  specialist {_fmt(c.specialist_avg_score)}"
        f" (n={c.n_specialist})  improvement {_fmt(c.improvement, signed=True)}"
    )
    console.print(f"  verdict: [bold]{c.verdict}[/bold] — {c.verdict_reason}", soft_wrap=True)


def _fmt(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


@mint_app.command()
def enrich(
    template: TemplateArg,
    provider: Annotated[str, typer.Option("--provider", help="openrouter or anthropic.")] = "openrouter",
    model: Annotated[
        str | None, typer.Option("--model", help="Default $ENRICHMENT_MODEL or a Haiku model.")
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=16)] = 3,
    force: Annotated[
        bool, typer.Option("--force", help="Re-enrich documents that already have enrichment.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds per fetch and per LLM call.")
    ] = 30.0,
    templates_dir: TemplatesDirOption = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="The provider's API base URL.")] = None,
) -> None:
    """Fetch each documentation source, add LLM metadata, write the next enriched-NNN.json5."""
    from zebench.errors import ZebenchError
    from zebench.mint.enrich import enrich_template

    if provider not in ("openrouter", "anthropic"):
        raise ZebenchError(
            f"unknown provider {provider!r}", field="--provider", hint="use openrouter or anthropic"
        )
    result = enrich_template(
        template,
        provider=provider,  # type: ignore[arg-type]
        model=model,
        concurrency=concurrency,
        force=force,
        timeout=timeout,
        templates_dir=templates_dir,
        base_url=base_url,
    )
    for failure in result.failures:
        err_console.print(
            f"  [red]failed[/red] #{failure.index} {failure.source}: {failure.error}", soft_wrap=True
        )
    console.print(
        f"enriched {result.enriched} / skipped {result.skipped} / failed {result.failed}  (model {result.model})"
    )
    if result.path is not None:
        console.print(f"[green]✓[/green] wrote {result.path}", soft_wrap=True)
    else:
        console.print("nothing new to write")
    if result.failed:
        raise typer.Exit(1)
