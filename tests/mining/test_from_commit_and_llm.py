"""``zebench new scenario --from-commit`` and L2 prompts written through the (fake) LLM."""

from __future__ import annotations

import json
from pathlib import Path

from repokit import Zb

from zebench.llm.fake import FakeLLMServer, parse_script
from zebench.mining.prompts import solution_lines


def test_from_commit_mines_one_commit_under_the_given_name(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    proc = zb("new", "scenario", "mine", "fix-sub", "--suites-dir", "suites", "--sandbox", "none",
              "--from-commit", f"{repo}@{shas['fix'][:8]}")  # fmt: skip
    assert "created scenario" in proc.stdout and "1 fail-to-pass" in proc.stdout
    scenario_dir = tmp_path / "suites" / "mine" / "scenarios" / "fix-sub"
    assert json.loads((scenario_dir / "mined.json").read_text())["commit"] == shas["fix"]
    zb("check", "mine", "fix-sub", "--suites-dir", "suites", "--sandbox", "none")


def test_from_commit_says_why_a_commit_is_rejected(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    proc = zb("new", "scenario", "mine", "add-mul", "--suites-dir", "suites", "--sandbox", "none",
              "--from-commit", f"{repo}@{shas['no_f2p']}", check=1)  # fmt: skip
    assert "rejected" in proc.stderr and "do not catch the bug" in proc.stderr
    assert not (tmp_path / "suites" / "mine" / "scenarios" / "add-mul").exists()
    proc = zb("new", "scenario", "mine", "x", "--from-commit", "no-at-sign", check=2)
    assert "--from-commit: 'no-at-sign' is not REPO@SHA" in proc.stderr
    proc = zb("new", "scenario", "mine", "x", "--from-commit", f"{repo}@{shas['initial']}", check=2)
    assert "has no single parent" in proc.stderr
    proc = zb("new", "scenario", "mine", "Bad_Name", "--from-commit", f"{repo}@{shas['fix']}", check=2)
    assert "invalid scenario name" in proc.stderr


def _llm_script(reply: str) -> object:
    return parse_script({"turns": [{"text": reply}] * 4})


def test_llm_writes_l2_from_the_message_and_tests_but_never_sees_the_diff(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    reply = "# sub() adds instead of subtracting\n\nLook at `sub` in calc.py: `sub(5, 3)` should be 2."
    with FakeLLMServer(_llm_script(reply)) as fake:  # type: ignore[arg-type]
        zb("new", "scenario", "mine", "fix-sub", "--suites-dir", "suites", "--sandbox", "none", "--llm-prompts",
           "--from-commit", f"{repo}@{shas['fix']}", ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=fake.url)  # fmt: skip
        bodies = [r.body for r in fake.requests_to("/v1/messages")]
    scenario_dir = tmp_path / "suites" / "mine" / "scenarios" / "fix-sub"
    assert (scenario_dir / "prompts" / "L2-directed.md").read_text() == reply + "\n"
    assert len(bodies) == 1
    sent = json.dumps(bodies[0])
    assert "tests.test_calc.SubTests.test_sub" in sent and "calc.py" in sent
    patch = (scenario_dir / "solution.patch").read_text()
    assert all(line not in sent for line in solution_lines(patch))  # the LLM was never shown the fix
    assert "diff --git" not in sent


def test_an_l2_reply_that_quotes_the_fix_is_dropped(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    leaky = "Replace the body of sub with:\n\n    difference = a - b\n    return difference\n"
    with FakeLLMServer(_llm_script(leaky)) as fake:  # type: ignore[arg-type]
        zb("new", "scenario", "mine", "fix-sub", "--suites-dir", "suites", "--sandbox", "none", "--llm-prompts",
           "--from-commit", f"{repo}@{shas['fix']}", ANTHROPIC_API_KEY="test-key", ANTHROPIC_BASE_URL=fake.url)  # fmt: skip
    prompts = tmp_path / "suites" / "mine" / "scenarios" / "fix-sub" / "prompts"
    assert sorted(p.name for p in prompts.iterdir()) == ["L0-minimal.md", "L1-basic.md"]


def test_llm_prompts_without_a_key_fail_before_any_work(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]]
) -> None:
    repo, _ = calc_repo
    proc = zb("mine", str(repo), "-o", "suites/x", "--llm-prompts", check=2, ANTHROPIC_API_KEY="")
    assert "ANTHROPIC_API_KEY" in proc.stderr and "Traceback" not in proc.stderr
