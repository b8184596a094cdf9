"""Enrichment: fetch each documentation source, ask an LLM for structured metadata, write the next
``<dir>/<name>/enriched/<version>/enriched-NNN.json5``. One failing document never stops the others."""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zebench.errors import ZebenchError
from zebench.llm.types import LLMClient, LLMMessage, LLMRequest
from zebench.mint.fetch import MAX_BYTES, fetch_document
from zebench.mint.files import write_numbered
from zebench.mint.jsonio import dumps_json5
from zebench.mint.prompt_selection import RESERVED_KEYS
from zebench.mint.schema import check
from zebench.mint.task_detection import DEFAULT_PRIORITY
from zebench.mint.templates import Template, load_template

EnrichProvider = Literal["openrouter", "anthropic"]
DEFAULT_MODELS: dict[str, str] = {
    "openrouter": "anthropic/claude-3.5-haiku",
    "anthropic": "claude-3-5-haiku-20241022",
}
MODEL_ENV = "ENRICHMENT_MODEL"
ENRICHED_PREFIX = "enriched-"
_FENCED = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL)


class DocEnrichment(BaseModel):
    """What the model must return for one document; unknown keys are dropped."""

    model_config = ConfigDict(extra="ignore")

    summary: str = Field(min_length=1)
    key_concepts: list[str] = Field(default_factory=list)
    use_cases: list[str] = Field(default_factory=list)
    relevance_to_specialist: str = ""
    relevant_for_tasks: list[str] = Field(default_factory=list)
    relevant_tech_stack: list[str] = Field(default_factory=list)
    relevant_tags: list[str] = Field(default_factory=list)
    code_patterns: list[str] = Field(default_factory=list)


class DocFailure(BaseModel):
    index: int
    source: str
    error: str


class EnrichResult(BaseModel):
    """Counts and the written file (None when nothing new was enriched)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: Path | None
    source_path: Path
    enriched: int
    skipped: int
    failed: int
    failures: list[DocFailure] = Field(default_factory=list)
    model: str


def task_types(template: dict[str, Any]) -> list[str]:
    """The task types a document may be relevant for: the template's prompt sections, then the defaults."""
    own = [
        k
        for k, v in (template.get("prompts") or {}).items()
        if k not in RESERVED_KEYS and isinstance(v, dict)
    ]
    return list(dict.fromkeys([*own, *DEFAULT_PRIORITY]))


def enrichment_prompt(doc: dict[str, Any], content: str, template: dict[str, Any]) -> str:
    """The one user message sent per document."""
    persona = template.get("persona") or {}
    tags = (template.get("capabilities") or {}).get("tags") or []
    return "\n".join(
        [
            f"You are preparing documentation for the AI specialist {template.get('name')!r}.",
            f"Purpose of the specialist: {persona.get('purpose', '')}",
            f"Document type: {doc.get('type', '')}",
            f"Document description: {doc.get('description', '')}",
            f"Task types: {', '.join(task_types(template))}",
            f"Specialist tech stack: {', '.join(map(str, persona.get('tech_stack') or []))}",
            f"Specialist capability tags: {', '.join(map(str, tags))}",
            "",
            "DOCUMENTATION:",
            "---",
            content,
            "---",
            "",
            "Reply with one JSON object and nothing else, with these keys:",
            '{"summary": "2-3 paragraphs", "key_concepts": ["3-10 items"], "use_cases": ["..."],',
            ' "relevance_to_specialist": "how this helps the specialist",',
            ' "relevant_for_tasks": ["task types from the list above"],',
            ' "relevant_tech_stack": ["items of the tech stack above"],',
            ' "relevant_tags": ["capability tags above"], "code_patterns": ["2-5 short patterns"]}',
        ]
    )


def parse_enrichment(text: str) -> DocEnrichment:
    """The model's JSON (bare, fenced, or the outermost ``{...}`` in prose), validated; ValueError if unusable."""
    fenced = _FENCED.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text.strip())
    if "{" in text and "}" in text:
        candidates.append(text[text.index("{") : text.rindex("}") + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            try:
                return DocEnrichment.model_validate(data)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ValueError(
                    f"reply JSON is invalid at {'.'.join(map(str, first['loc']))}: {first['msg']}"
                ) from exc
    raise ValueError(f"reply is not a JSON object: {text[:120]!r}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def enrich_template(
    template: str | Path | Template,
    *,
    provider: EnrichProvider = "openrouter",
    model: str | None = None,
    concurrency: int = 3,
    force: bool = False,
    timeout: float = 30.0,
    templates_dir: Path | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    client_factory: Callable[[], LLMClient] | None = None,
    max_bytes: int = MAX_BYTES,
) -> EnrichResult:
    """Enrich the template's documentation and write the next enriched version.

    The source is the newest enriched version when there is one, so enrichment builds on earlier
    runs; documents that already carry ``enrichment`` are skipped unless ``force``. Each worker
    thread gets its own client from ``client_factory`` (default: ``zebench.llm.create_client``).
    """
    loaded = (
        template if isinstance(template, Template) else load_template(template, templates_dir=templates_dir)
    )
    chosen_model = model or os.environ.get(MODEL_ENV) or DEFAULT_MODELS[provider]
    factory = client_factory or _default_client_factory(provider, base_url, api_key, timeout)
    data = copy.deepcopy(loaded.data)
    docs: list[dict[str, Any]] = data.get("documentation") or []
    todo = [i for i, doc in enumerate(docs) if force or not doc.get("enrichment")]

    def work(index: int) -> dict[str, Any]:
        return _enrich_document(
            docs[index], loaded, model=chosen_model, factory=factory, timeout=timeout, max_bytes=max_bytes
        )

    enriched, failures = _enrich_in_parallel(docs, todo, work, concurrency)
    path = _write_enriched(loaded, data) if enriched else None
    return EnrichResult(
        path=path,
        source_path=loaded.source_path,
        enriched=enriched,
        skipped=len(docs) - len(todo),
        failed=len(failures),
        failures=failures,
        model=chosen_model,
    )


def _default_client_factory(
    provider: EnrichProvider, base_url: str | None, api_key: str | None, timeout: float
) -> Callable[[], LLMClient]:
    """A fresh ``zebench.llm`` client per call, for one worker thread each."""
    from zebench.llm import create_client

    def client_factory() -> LLMClient:
        return create_client(provider, base_url=base_url, api_key=api_key, timeout_s=timeout, max_retries=2)

    return client_factory


def _enrich_document(
    doc: dict[str, Any],
    loaded: Template,
    *,
    model: str,
    factory: Callable[[], LLMClient],
    timeout: float,
    max_bytes: int,
) -> dict[str, Any]:
    """One document's ``enrichment`` entry: fetch it, ask the model, validate the reply."""
    fetched = fetch_document(doc, base_dir=loaded.base_dir, timeout=timeout, max_bytes=max_bytes)
    reply = factory().complete(
        LLMRequest(
            model=model,
            messages=[LLMMessage(role="user", content=enrichment_prompt(doc, fetched.text, loaded.data))],
            max_tokens=2000,
            temperature=0.3,
            json_mode=True,
        )
    )
    enrichment = parse_enrichment(reply.text).model_dump()
    return {**enrichment, "enriched_at": _now(), "model_used": model}


def _enrich_in_parallel(
    docs: list[dict[str, Any]],
    todo: list[int],
    work: Callable[[int], dict[str, Any]],
    concurrency: int,
) -> tuple[int, list[DocFailure]]:
    """Run ``work`` on each ``todo`` index, storing each result in its document; (enriched, failures)."""
    failures: list[DocFailure] = []
    enriched = 0
    if not todo:
        return enriched, failures
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="enrich") as pool:
        futures = {index: pool.submit(work, index) for index in todo}
        for index, future in futures.items():
            try:
                docs[index]["enrichment"] = future.result()
                enriched += 1
            except Exception as exc:  # any failure is this document's alone; the others go on
                failures.append(_failure(index, docs[index], exc))
    return enriched, failures


def _failure(index: int, doc: dict[str, Any], exc: Exception) -> DocFailure:
    """The record of one document that could not be enriched, with a one-line reason."""
    message = exc.one_line() if isinstance(exc, ZebenchError) else f"{type(exc).__name__}: {exc}"
    source = str(doc.get("url") or doc.get("path") or "")
    return DocFailure(index=index, source=source, error=message)


def _write_enriched(loaded: Template, data: dict[str, Any]) -> Path:
    """Stamp the version metadata, check the schema and write the next ``enriched-NNN.json5``."""
    now = _now()
    metadata = dict(data.get("version_metadata") or {})
    metadata.setdefault("created_at", now)
    metadata.update(updated_at=now, last_enriched_at=now)
    data["version_metadata"] = metadata
    check(data, "template", file=f"enriched {loaded.source_path}")
    directory = loaded.path.parent / loaded.slug / "enriched" / loaded.version
    path, _ = write_numbered(directory, ENRICHED_PREFIX, dumps_json5(data))
    return path
