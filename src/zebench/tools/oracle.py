"""Scripted answers to the agent's ``ask_user`` questions (the scenario's oracle-answers file)."""

from __future__ import annotations

import difflib
import re
import threading
from typing import Any

DEFAULT_ANSWER = "Proceed with your best judgment based on the constraints provided."
FUZZY_RATIO = 0.6


def _normalise(text: str) -> str:
    # _ and - separate words in keys such as "assume_risk_for_major_bumps"; punctuation never matters.
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


class OracleAnswers:
    """Answers questions from a key → answer map: exact, then fuzzy, then the default answer.

    Every question and answer is appended to :attr:`log` (thread-safe) for the run record.
    """

    def __init__(self, answers: dict[str, str], default: str = DEFAULT_ANSWER) -> None:
        self.answers = dict(answers)
        self.default = default
        self._log: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def log(self) -> list[dict[str, Any]]:
        """``{question, answer, matched_key, match}`` per question; ``match`` is exact, fuzzy or default."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def ask(self, question: str) -> str:
        """The answer to ``question``, logged."""
        key, kind = self._match(question)
        answer = self.answers[key] if key is not None else self.default
        with self._lock:
            self._log.append({"question": question, "answer": answer, "matched_key": key, "match": kind})
        return answer

    def _match(self, question: str) -> tuple[str | None, str]:
        wanted = question.lower().strip()
        for key in self.answers:
            if key.lower().strip() == wanted:
                return key, "exact"
        nq = _normalise(question)
        if not nq:
            return None, "default"
        best: tuple[bool, float] | None = None
        best_key: str | None = None
        padded_q = f" {nq} "
        for key in self.answers:
            nk = _normalise(key)
            if not nk:
                continue
            # Whole-word containment, so a key "react" does not match "reactive".
            contained = f" {nk} " in padded_q or padded_q in f" {nk} "
            ratio = difflib.SequenceMatcher(None, nq, nk).ratio()
            if not contained and ratio < FUZZY_RATIO:
                continue
            score = (contained, ratio)
            if best is None or score > best:
                best, best_key = score, key
        if best_key is not None:
            return best_key, "fuzzy"
        return None, "default"
