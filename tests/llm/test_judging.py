"""The judge's pure parts: category weights, verdict parsing, the weighted score."""

from __future__ import annotations

import json

import pytest

from zebench.llm.judging import JudgeReplyError, parse_categories, parse_verdict, slugify, weighted_score


def test_slugify_matches_the_original() -> None:
    assert slugify("Code Quality (Weight: 30%): clean code") == "code_quality"
    assert slugify("API-Compatibility: keeps the API") == "api_compatibility"


def test_weights_parsed_in_both_spellings_and_normalised() -> None:
    cats = parse_categories(
        ["Correctness (Weight: 50%): works", "Style (30%): tidy", "Tests (Weight: 20%): tested"]
    )
    assert [(c.slug, round(c.weight, 6)) for c in cats] == [
        ("correctness", 0.5),
        ("style", 0.3),
        ("tests", 0.2),
    ]
    assert cats[0].name == "Correctness"


def test_missing_weights_share_what_is_left() -> None:
    cats = parse_categories(["A (Weight: 60%): x", "B: y", "C: z"])
    assert [round(c.weight, 6) for c in cats] == [0.6, 0.2, 0.2]
    equal = parse_categories(["A: x", "B: y", "C: z", "D: w"])
    assert [c.weight for c in equal] == [0.25] * 4
    over = parse_categories(["A (80%)", "B (40%)", "C"])  # explicit weights already exceed 100%
    assert sum(c.weight for c in over) == pytest.approx(1.0)
    assert over[2].weight == pytest.approx(60 / 180)


def test_duplicate_slugs_are_disambiguated() -> None:
    assert [c.slug for c in parse_categories(["Quality: a", "Quality: b"])] == ["quality", "quality_2"]


def test_parse_verdict_accepts_fenced_json_and_names() -> None:
    cats = parse_categories(["Correctness (50%)", "Code Quality (50%)"])
    text = (
        "Here you go:\n```json\n"
        + json.dumps(
            {
                "scores": [
                    {"category": "correctness", "score": 5, "reasoning": "ok"},
                    {"category": "Code Quality", "score": 3, "reasoning": "meh"},
                ],
                "overall_assessment": "fine",
            }
        )
        + "\n```"
    )
    reply, scores = parse_verdict(text, cats)
    assert reply.overall_assessment == "fine"
    assert weighted_score(cats, scores) == pytest.approx(0.5 * 1.0 + 0.5 * 0.5)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("not json at all", "not valid JSON"),
        ('{"scores": [{"category": "correctness", "score": 9}]}', "less than or equal to 5"),
        ('{"scores": [{"category": "correctness", "score": 4}]}', "missing for: style"),
        ('{"overall_assessment": "x"}', "scores"),
    ],
)
def test_parse_verdict_explains_what_is_wrong(text: str, problem: str) -> None:
    cats = parse_categories(["Correctness", "Style"])
    with pytest.raises(JudgeReplyError, match=problem):
        parse_verdict(text, cats)
