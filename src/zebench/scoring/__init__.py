"""Scoring: a run's weighted total and success rule, and summary statistics over runs."""

from zebench.scoring.card import ScoreCard, score_run
from zebench.scoring.stats import SummaryStats, summarize

__all__ = ["ScoreCard", "SummaryStats", "score_run", "summarize"]
