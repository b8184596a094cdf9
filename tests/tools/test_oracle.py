from __future__ import annotations

import threading

from zebench.commands import LocalCommandRunner
from zebench.results.trajectory import Trajectory
from zebench.tools import DEFAULT_ANSWER, OracleAnswers, Toolbox

ANSWERS = {
    "assume_risk_for_major_bumps": "Yes, accept the risk.",
    "should i update to react 19": "No, stay on 18.",
    "Use pnpm?": "Yes, pnpm only.",
}


def test_exact_fuzzy_and_default() -> None:
    oracle = OracleAnswers(ANSWERS)
    assert oracle.ask("  USE PNPM?  ") == "Yes, pnpm only."
    assert oracle.ask("Can I assume risk for major bumps in this repo?") == "Yes, accept the risk."
    assert oracle.ask("react 19") == "No, stay on 18."  # the question is contained in the key
    assert oracle.ask("Should I update to React 19.0?") == "No, stay on 18."  # close enough
    assert oracle.ask("What colour should the logo be?") == DEFAULT_ANSWER
    assert [(e["match"], e["matched_key"]) for e in oracle.log] == [
        ("exact", "Use pnpm?"),
        ("fuzzy", "assume_risk_for_major_bumps"),
        ("fuzzy", "should i update to react 19"),
        ("fuzzy", "should i update to react 19"),
        ("default", None),
    ]
    assert oracle.log[0] == {
        "question": "  USE PNPM?  ",
        "answer": "Yes, pnpm only.",
        "matched_key": "Use pnpm?",
        "match": "exact",
    }


def test_whole_words_only_and_custom_default() -> None:
    oracle = OracleAnswers({"react": "A"}, default="no idea")
    assert oracle.ask("is this reactive programming?") == "no idea"
    assert oracle.ask("") == "no idea"


def test_best_fuzzy_match_wins() -> None:
    oracle = OracleAnswers({"update": "generic", "update react": "specific"})
    assert oracle.ask("should I update react now") == "specific"


def test_log_is_thread_safe() -> None:
    oracle = OracleAnswers(ANSWERS)
    threads = [
        threading.Thread(target=lambda: [oracle.ask("Use pnpm?") for _ in range(50)]) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(oracle.log) == 400


def test_ask_user_tool(tmp_path) -> None:  # type: ignore[no-untyped-def]
    oracle = OracleAnswers(ANSWERS)
    box = Toolbox(tmp_path, trajectory=Trajectory(), command_runner=LocalCommandRunner(), oracle=oracle)
    result = box.call("ask_user", {"question": "use pnpm?", "context": "the lockfile is npm"})
    assert result.content == "Yes, pnpm only." and not result.is_error
    assert oracle.log[0]["match"] == "exact"
    assert box.trajectory.steps[0].name == "ask_user"
    no_oracle = Toolbox(tmp_path, trajectory=Trajectory(), command_runner=LocalCommandRunner())
    assert no_oracle.call("ask_user", {"question": "anything?"}).content == DEFAULT_ANSWER
    assert no_oracle.oracle.log[0]["match"] == "default"
