"""The LLM judge's pure parts: weighted categories, the prompt, and strict parsing of the verdict.

Kept apart from the evaluator (``zebench.evaluators.builtin.llm_judge``) so each piece is testable
without a model, and so the evaluator module stays about the flow.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from zebench.evaluators.base import EvaluationContext

DIFF_CAP = 30_000  # characters of the diff shown to the judge
FINAL_MESSAGE_CAP = 8_000
STDERR_TAIL = 600

SYSTEM_PROMPT = (
    "You are an expert code reviewer judging the work of an AI coding agent on a real repository. "
    "Score each category from 1 to 5 and be rigorous: 5 means flawless and is rare; 4 means minor "
    "cosmetic issues; 3 means it works but has notable issues; 2 means significant problems; 1 means "
    "broken, missing or dangerous. A working solution with real flaws gets at most 3. Judge only from "
    "the evidence given. Always answer with one valid JSON object and nothing else."
)

_WEIGHT_PATTERNS = (
    re.compile(r"\(\s*(?:weight\s*[:=]?\s*)?(\d+(?:\.\d+)?)\s*%\s*\)", re.IGNORECASE),
    re.compile(r"\bweight\s*[:=]\s*(\d+(?:\.\d+)?)\s*%?", re.IGNORECASE),
)


@dataclass(frozen=True)
class JudgeCategory:
    """A scoring category: ``weight`` is normalised so all categories sum to 1."""

    slug: str
    name: str
    text: str
    weight: float


def slugify(text: str) -> str:
    """The category's key: the text before the first ``:`` or ``(``, lower-cased, non-alphanumerics → ``_``."""
    head = re.split(r"[:(]", text, maxsplit=1)[0]
    return re.sub(r"[^a-z0-9]+", "_", head.strip().lower()).strip("_")


def _explicit_weight(text: str) -> float | None:
    for pattern in _WEIGHT_PATTERNS:
        match = pattern.search(text)
        if match:
            return float(match.group(1))
    return None


def parse_categories(texts: list[str]) -> list[JudgeCategory]:
    """Categories with weights from ``(Weight: 30%)`` / ``(30%)``; unweighted ones share what is left.

    With no explicit weights every category counts equally. Unweighted categories split the
    percentage the weighted ones leave (or, if none is left, each gets the mean explicit weight);
    everything is then normalised to sum to 1.
    """
    raw: list[tuple[str, str, str, float | None]] = []
    seen: dict[str, int] = {}
    for text in texts:
        text = str(text).strip()
        if not text:
            continue
        slug = slugify(text) or "category"
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}_{seen[slug]}"
        name = re.split(r"[:(]", text, maxsplit=1)[0].strip() or text
        raw.append((slug, name, text, _explicit_weight(text)))
    if not raw:
        return []
    explicit = [w for *_, w in raw if w is not None and w > 0]
    missing = [r for r in raw if r[3] is None or r[3] <= 0]
    if not explicit:
        fill = 1.0
    else:
        left = 100.0 - sum(explicit)
        fill = left / len(missing) if missing and left > 0 else sum(explicit) / len(explicit)
    weights = [w if w is not None and w > 0 else fill for *_, w in raw]
    total = sum(weights)
    return [
        JudgeCategory(slug=slug, name=name, text=text, weight=w / total)
        for (slug, name, text, _), w in zip(raw, weights, strict=True)
    ]


def _cap(text: str, cap: int, what: str) -> str:
    if len(text) <= cap:
        return text
    return f"{text[:cap]}\n… [{what} truncated: {len(text) - cap} more characters]"


def build_prompt(ctx: EvaluationContext, categories: list[JudgeCategory]) -> str:
    """The user message: task, diff, validation results, the agent's final message, the rubric."""
    scenario = ctx.scenario
    parts = [f"## Task\n**{scenario.title}** ({scenario.key})"]
    if scenario.description:
        parts.append(scenario.description.strip())
    parts.append(f"### Prompt given to the agent\n{ctx.prompt.strip()}")
    if scenario.constraints:
        parts.append(
            f"### Constraints\n```json\n{json.dumps(scenario.constraints, indent=2, default=str)}\n```"
        )
    targets = scenario.targets.model_dump(mode="json")
    if targets.get("required") or targets.get("optional"):
        parts.append(f"### Dependency targets\n```json\n{json.dumps(targets, indent=2)}\n```")

    changed = "\n".join(f"- {c.change}: {c.path}" for c in ctx.changed_files[:200]) or "(no files changed)"
    parts.append(f"## Files changed\n{changed}")
    diff = ctx.diff.strip()
    parts.append(f"## Diff\n```diff\n{_cap(diff, DIFF_CAP, 'diff')}\n```" if diff else "## Diff\n(empty)")

    if ctx.validation:
        lines = []
        for result in ctx.validation:
            outcome = "PASSED" if result.ok else "FAILED"
            exit_text = "timed out" if result.timed_out else f"exit code {result.exit_code}"
            line = f"- **{result.name}** ({result.kind}) `{result.command}`: {outcome}, {exit_text}"
            tail = (result.stderr or result.error or "").strip()[-STDERR_TAIL:]
            if tail and not result.ok:
                line += f"\n  stderr (tail):\n  ```\n  {tail}\n  ```"
            lines.append(line)
        parts.append("## Validation results\n" + "\n".join(lines))
    else:
        parts.append("## Validation results\n(no validation commands ran)")

    final = ctx.agent_result.final_message.strip() or "(the agent gave no final message)"
    parts.append(f"## The agent's final message\n```\n{_cap(final, FINAL_MESSAGE_CAP, 'message')}\n```")

    rubric = "\n".join(
        f"{i}. `{c.slug}` — {c.text} (weight {c.weight:.0%})" for i, c in enumerate(categories, start=1)
    )
    example = {
        "scores": [{"category": categories[0].slug, "score": 3, "reasoning": "…"}],
        "overall_assessment": "…",
    }
    parts.append(
        "## How to answer\nScore every category below from 1 to 5 (integers):\n"
        f"{rubric}\n\nReply with STRICT JSON only, one entry per category, using the category keys shown:\n"
        f"```json\n{json.dumps(example, ensure_ascii=False)}\n```"
    )
    return "\n\n".join(parts)


class CategoryScore(BaseModel):
    model_config = ConfigDict(extra="ignore")

    category: str = Field(min_length=1)
    score: float = Field(ge=1, le=5)
    reasoning: str = ""


class JudgeReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    scores: list[CategoryScore] = Field(min_length=1)
    overall_assessment: str = ""


class JudgeReplyError(ValueError):
    """The judge's reply is not the JSON we asked for; the message says what is wrong."""


def _json_object(text: str) -> Any:
    stripped = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", stripped, re.DOTALL)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as first:
        start, end = stripped.find("{"), stripped.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(stripped[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise JudgeReplyError(f"the reply is not valid JSON ({first.msg} at position {first.pos})") from first


def parse_verdict(text: str, categories: list[JudgeCategory]) -> tuple[JudgeReply, dict[str, CategoryScore]]:
    """Validate the reply and match its scores to ``categories`` by slug (or by name)."""
    if not text.strip():
        raise JudgeReplyError("the reply is empty")
    data = _json_object(text)
    try:
        reply = JudgeReply.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise JudgeReplyError(f"the JSON does not match the schema: {problems}") from exc
    by_key = {c.slug: c for c in categories}
    by_name = {slugify(c.name): c for c in categories}
    matched: dict[str, CategoryScore] = {}
    for entry in reply.scores:
        key = slugify(entry.category)
        category = by_key.get(key) or by_name.get(key)
        if category is not None and category.slug not in matched:
            matched[category.slug] = entry
    missing = [c.slug for c in categories if c.slug not in matched]
    if missing:
        raise JudgeReplyError(f"scores are missing for: {', '.join(missing)}")
    return reply, matched


def weighted_score(categories: list[JudgeCategory], scores: dict[str, CategoryScore]) -> float:
    """Σ weight · (score − 1) / 4 over the categories (weights sum to 1)."""
    return sum(c.weight * (scores[c.slug].score - 1) / 4 for c in categories)
