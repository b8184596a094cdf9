"""``zebench export swebench`` then ``zebench import swebench`` round-trips a mined scenario, and a
package-fixture scenario (the realworld kind) through its pin; the lists keep SWE-bench's encoding."""

from __future__ import annotations

import json
from pathlib import Path

from repokit import Zb

from zebench.swebench import SWEBenchInstance


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_mined_scenario_round_trips_through_swebench_jsonl(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    zb("new", "scenario", "mined", "fix-sub", "--suites-dir", "suites", "--sandbox", "none",
       "--from-commit", f"{repo}@{shas['fix']}")  # fmt: skip
    zb("export", "swebench", "mined", "--suites-dir", "suites", "-o", "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 1
    raw = json.loads(lines[0])
    assert raw["instance_id"] == "fix-sub" and raw["base_commit"] == shas["initial"]
    assert raw["repo"] == "calc"  # no origin remote: the folder names it
    assert isinstance(raw["FAIL_TO_PASS"], str)
    assert json.loads(raw["FAIL_TO_PASS"]) == ["tests.test_calc.SubTests.test_sub"]
    assert "tests/test_calc.py" in raw["test_patch"] and "calc.py" in raw["patch"]
    assert "tests/" not in raw["patch"]
    assert raw["problem_statement"].startswith("# Fix sub() returning the sum")

    zb("import", "swebench", "out.jsonl", "--repo", str(repo), "-o", "suites/back")
    original = tmp_path / "suites" / "mined" / "scenarios" / "fix-sub"
    imported = tmp_path / "suites" / "back" / "scenarios" / "fix-sub"
    for part in ("repo-fixture", "tests-hidden", "prompts"):
        assert _files(imported / part) == _files(original / part), part
    for name in ("solution.patch", "test.patch"):
        assert (imported / name).read_text() == (original / name).read_text()
    lock_in, lock_out = (json.loads((d / "tests.lock.json").read_text()) for d in (original, imported))
    assert (lock_out["fail_to_pass"], lock_out["pass_to_pass"]) == (
        lock_in["fail_to_pass"],
        lock_in["pass_to_pass"],
    )
    zb("check", "back", "fix-sub", "--suites-dir", "suites", "--sandbox", "none")
    # Exported again, the imported scenario gives the same instance (its base commit included).
    zb("export", "swebench", "back", "--suites-dir", "suites", "-o", "again.jsonl")
    again = SWEBenchInstance.model_validate_json((tmp_path / "again.jsonl").read_text())
    first = SWEBenchInstance.model_validate_json(lines[0])
    assert (again.patch, again.test_patch, again.fail_to_pass, again.pass_to_pass) == (
        first.patch, first.test_patch, first.fail_to_pass, first.pass_to_pass,
    )  # fmt: skip


def test_import_says_why_an_instance_cannot_be_built(
    zb: Zb, calc_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = calc_repo
    good = {"instance_id": "calc__calc-1", "repo": "someone/calc", "base_commit": shas["initial"],
            "patch": "", "test_patch": "", "problem_statement": "# sub is wrong\n\nsub(5, 3) is 8.",
            "FAIL_TO_PASS": "[]", "PASS_TO_PASS": "[]"}  # fmt: skip
    missing = {**good, "instance_id": "calc__calc-2", "base_commit": "0" * 40}
    (tmp_path / "in.jsonl").write_text(
        "\n".join([json.dumps(good), json.dumps(missing), '{"instance_id": 3}', "not json"]) + "\n"
    )
    proc = zb("import", "swebench", "in.jsonl", "--repo", str(repo), "-o", "suites/imp")
    assert "created calc-calc-1" in proc.stdout
    assert "base_commit 000000000000 is not in" in proc.stdout
    assert "line 3: instance_id: Input should be a valid string" in proc.stdout
    assert "line 4: line: Invalid JSON" in proc.stdout
    imported = tmp_path / "suites" / "imp" / "scenarios" / "calc-calc-1"
    assert (imported / "prompts" / "L0-minimal.md").read_text() == "sub is wrong\n"
    assert "python -m unittest -v" in (imported / "scenario.yaml").read_text()  # detected from the tree
    proc = zb("import", "swebench", "in.jsonl", "-o", "suites/none", check=1)
    assert "needs a local clone of someone/calc (pass --repo PATH)" in proc.stdout
    proc = zb("import", "swebench", "nowhere.jsonl", "-o", "suites/none", check=2)
    assert "cannot read the file" in proc.stderr


def test_examples_without_a_commit_are_skipped_with_the_reason(zb: Zb, tmp_path: Path) -> None:
    proc = zb("export", "swebench", "examples", "-o", "ex.jsonl", check=1)
    assert "skipped fix-failing-tests: its fixture is a folder with no repository and commit" in proc.stderr
