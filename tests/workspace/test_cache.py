"""Baseline templates: built once per fixture content, copied per run, same result as before."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from ws_helpers import MakeScenario, git, tree_hash, write

from zebench.workspace import prepare_workspace
from zebench.workspace.cache import CACHE_ENV, fixture_key
from zebench.workspace.diff import _split_combined


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    return cache


def _fixture(tmp_path: Path) -> Path:
    fx = tmp_path / "fixture"
    write(fx, "a.txt", "one\n")
    write(fx, "node_modules/x/index.js", "junk")
    return fx


def test_second_run_reuses_the_template_and_gets_the_same_tree(
    tmp_path: Path, make_scenario: MakeScenario, private_cache: Path
) -> None:
    fx = _fixture(tmp_path)
    first = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    second = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert len(list(private_cache.iterdir())) == 1
    assert first.baseline_ref == second.baseline_ref
    assert tree_hash(first.path, skip_git=True) == tree_hash(second.path, skip_git=True)
    assert git(second.path, "status", "--porcelain") == ""
    (second.path / "a.txt").write_text("changed\n")
    assert first.diff().patch == ""  # the copies share nothing
    assert "+changed" in second.diff().patch


def test_an_edited_fixture_gets_a_new_baseline(tmp_path: Path, make_scenario: MakeScenario) -> None:
    fx = _fixture(tmp_path)
    key = fixture_key(fx)
    before = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    write(fx, "a.txt", "two\n")
    assert fixture_key(fx) != key
    after = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert after.baseline_ref != before.baseline_ref
    assert (after.path / "a.txt").read_text() == "two\n"
    edited = fixture_key(fx)
    write(fx, "node_modules/x/index.js", "other junk")  # excluded: not part of the key
    assert fixture_key(fx) == edited


def test_concurrent_first_runs_agree(
    tmp_path: Path, make_scenario: MakeScenario, private_cache: Path
) -> None:
    fx = _fixture(tmp_path)
    results: list[str] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            ws = prepare_workspace(make_scenario(fx), tmp_path / "ws")
            assert ws.diff().patch == ""
            results.append(ws.baseline_ref)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1 and len(results) == 6
    assert [p.name for p in private_cache.iterdir() if not p.name.startswith(".build-")] == [fixture_key(fx)]


def test_cache_off_commits_the_baseline_from_the_fresh_copy(
    tmp_path: Path, make_scenario: MakeScenario, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    fx = _fixture(tmp_path)
    cached = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    borrowed = (cached.repo.git_dir / "objects" / "info" / "alternates").read_text()
    assert borrowed.strip().startswith(str(private_cache))
    monkeypatch.setenv(CACHE_ENV, "off")
    plain = prepare_workspace(make_scenario(fx), tmp_path / "ws")
    assert not (plain.repo.git_dir / "objects" / "info" / "alternates").exists()
    assert plain.baseline_ref == cached.baseline_ref  # the same rules give the same commit
    assert git(plain.path, "log", "--format=%s").strip() == "zebench baseline"
    (plain.path / "b.txt").write_text("new\n")
    assert [c.path for c in plain.diff().changed_files] == ["b.txt"]
    for ws in (cached, plain):
        assert not ws.repo.git_dir.resolve().is_relative_to(ws.path.resolve())


def test_unknown_combined_output_is_refused() -> None:
    assert _split_combined(b"") == (b"", b"", b"")
    assert _split_combined(b"garbage") is None
    assert _split_combined(b":100644 100644 a b M\0x\x00") is None  # numstat missing
