"""The built-in evaluators. Importing this package registers them all."""

from zebench.evaluators.builtin import commands, dependencies, heuristics, integrity, llm_judge, tests
from zebench.evaluators.builtin._base import BaseEvaluator

__all__ = ["BaseEvaluator", "commands", "dependencies", "heuristics", "integrity", "llm_judge", "tests"]
