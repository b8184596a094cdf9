"""Scenarios from a git history: each fix commit with its tests becomes a proven scenario.

``mine`` examines every candidate commit (non-merge, changing tests and source) of a repository,
``mine_candidate`` one commit; each kept scenario's fixture is the parent's tree, its solution the
commit's non-test diff, its hidden tests the commit's test files, with F2P/P2P locked and the
oracle/echo proof passed. ``zebench mine`` and ``zebench new scenario --from-commit`` are the CLI.
"""

from __future__ import annotations

from zebench.mining.candidate import LLMPrompts, MiningSetup, mine_candidate, scenario_name
from zebench.mining.mine import CandidateFilter, list_candidates, mine
from zebench.mining.repo import CommitInfo, MiningError, SourceRepo
from zebench.mining.state import Decision, MiningReport

__all__ = [
    "CandidateFilter",
    "CommitInfo",
    "Decision",
    "LLMPrompts",
    "MiningError",
    "MiningReport",
    "MiningSetup",
    "SourceRepo",
    "list_candidates",
    "mine",
    "mine_candidate",
    "scenario_name",
]
