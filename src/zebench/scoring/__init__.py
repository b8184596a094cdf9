"""Scoring: a run's weighted total and success rule, and summary statistics over runs."""

from zebench.scoring.card import ScoreCard, score_run
from zebench.scoring.display import SCORE, ScoreFormat, format_out_of_ten, format_score
from zebench.scoring.stats import SummaryStats, summarize

__all__ = [
    "SCORE",
    "ScoreCard",
    "ScoreFormat",
    "SummaryStats",
    "format_out_of_ten",
    "format_score",
    "score_run",
    "summarize",
]
