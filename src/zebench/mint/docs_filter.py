"""Rank a template's enriched documentation for a task and prompt (the original's doc filter, made deterministic)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from zebench.mint.keywords import count_frameworks, count_words, extract_keywords

MAX_DOCS = 5

# The original's weights (agency-prompt-creator/src/doc-filter.ts).
TASK_MATCH = 10.0
TECH_STACK_MATCH = 5.0
TAG_MATCH = 3.0
FRAMEWORK_KEYWORD = 30.0
COMPETING_FRAMEWORK = -10.0
COMPONENT_KEYWORD = 15.0
TECH_KEYWORD = 10.0
TAG_KEYWORD = 25.0
TYPE_BONUS = {"official": 2.0, "reference": 1.0, "examples": 0.5, "recipes": 0.5, "control": 0.0}


class RankedDoc(BaseModel):
    """A document chosen for the system prompt."""

    title: str
    link: str
    summary: str = ""
    key_concepts: list[str] = []
    code_patterns: list[str] = []
    relevance_score: float
    index: int  # position in the template's documentation list


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _tag_mentions(tag: str, keywords: tuple[str, ...]) -> bool:
    """Whether a prompt keyword starts one of the tag's parts: "tailwind" hits "tailwindcss-v4".

    The original tested substrings, so "ant" hit "relevant"; part prefixes keep the intent without that.
    """
    parts = re.split(r"[-_\s/]+", tag.lower())
    return any(part.startswith(k.lower()) for part in parts if part for k in keywords)


def score_document(doc: dict[str, Any], task_type: str, template: dict[str, Any], prompt: str) -> float:
    """The relevance of one enriched document; see docs/templates.md for the table of points."""
    enrichment = doc.get("enrichment") or {}
    keywords = extract_keywords(prompt)
    tech_stack = set(_strings((template.get("persona") or {}).get("tech_stack")))
    tags = set(_strings((template.get("capabilities") or {}).get("tags")))
    relevant_tags = _strings(enrichment.get("relevant_tags"))
    score = 0.0
    if task_type in _strings(enrichment.get("relevant_for_tasks")):
        score += TASK_MATCH
    score += TECH_STACK_MATCH * sum(
        1 for t in _strings(enrichment.get("relevant_tech_stack")) if t in tech_stack
    )
    score += TAG_MATCH * sum(1 for t in relevant_tags if t in tags)
    text = " ".join(
        str(part)
        for part in (doc.get("url"), doc.get("path"), doc.get("description"), enrichment.get("summary"))
        if part
    )
    score += FRAMEWORK_KEYWORD * count_frameworks(text, keywords.frameworks)
    score += COMPETING_FRAMEWORK * count_frameworks(text, keywords.competing)
    score += COMPONENT_KEYWORD * count_words(text, keywords.components)
    score += TECH_KEYWORD * count_words(text, keywords.tech)
    score += TAG_KEYWORD * sum(1 for tag in relevant_tags if _tag_mentions(tag, keywords.all))
    score += TYPE_BONUS.get(str(doc.get("type")), 0.0)
    return score


def rank_documentation(
    template: dict[str, Any], task_type: str, prompt: str, limit: int = MAX_DOCS
) -> list[RankedDoc]:
    """The ``limit`` most relevant enriched documents, best first.

    Only documents with ``enrichment`` take part (there is nothing to say about the others). Ties
    keep the template's order, so the same template and prompt always give the same list.
    """
    ranked: list[RankedDoc] = []
    for index, doc in enumerate(template.get("documentation") or []):
        if not isinstance(doc, dict) or not isinstance(doc.get("enrichment"), dict):
            continue
        enrichment = doc["enrichment"]
        ranked.append(
            RankedDoc(
                title=str(doc.get("description") or doc.get("url") or doc.get("path") or f"document {index}"),
                link=str(doc.get("url") or doc.get("path") or ""),
                summary=str(enrichment.get("summary") or ""),
                key_concepts=_strings(enrichment.get("key_concepts")),
                code_patterns=_strings(enrichment.get("code_patterns")),
                relevance_score=score_document(doc, task_type, template, prompt),
                index=index,
            )
        )
    ranked.sort(key=lambda d: (-d.relevance_score, d.index))
    return ranked[:limit]


def documentation_section(docs: list[RankedDoc]) -> str:
    """The markdown appended to the system prompt; empty when there are no documents.

    Rendered here rather than through mustache so that braces in fetched documentation can never be
    interpreted as template tags.
    """
    if not docs:
        return ""
    lines = ["## Relevant Documentation", ""]
    for doc in docs:
        lines.append(f"### {doc.title}")
        if doc.link:
            lines.append(f"Link: {doc.link}")
        if doc.summary:
            lines.append("")
            lines.append(doc.summary.strip())
        if doc.key_concepts:
            lines.append("")
            lines.append("Key concepts: " + ", ".join(doc.key_concepts))
        if doc.code_patterns:
            lines.append("")
            lines.append("Code patterns:")
            lines.extend(f"- {pattern}" for pattern in doc.code_patterns)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
