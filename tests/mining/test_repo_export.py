"""A mined fixture is the parent's tree byte for byte, whatever its .gitattributes ask of an archive."""

from __future__ import annotations

import subprocess
from pathlib import Path

from repokit import commit, git

from zebench.mining import SourceRepo
from zebench.mining.classify import split_commit

ATTRIBUTES = "pkg/_version.py export-subst\nnotes/ export-ignore\n*.txt text eol=crlf\n"
VERSION = 'refnames = "$Format:%d$"\n'


def test_the_fixture_is_the_tree_as_stored_so_the_solution_diff_applies(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {".gitattributes": ATTRIBUTES, "pkg/_version.py": VERSION, "pkg/core.py": "X = 1\n",
                  "notes/keep.py": "KEPT = True\n", "data.txt": "one\ntwo\n"}, "Start")  # fmt: skip
    fix = commit(repo, {"pkg/_version.py": VERSION + "version = '1.0'\n", "pkg/core.py": "X = 2\n",
                        "tests/test_core.py": "def test_x():\n    pass\n"}, "Fix X")  # fmt: skip
    source = SourceRepo(repo)
    found = source.commit(fix)
    fixture = tmp_path / "fixture"
    source.export_tree(found.parent, fixture)

    stored = {p: source.show_file(found.parent, p) for p in source.list_files(found.parent)}
    exported = {p.relative_to(fixture).as_posix(): p.read_bytes() for p in fixture.rglob("*") if p.is_file()}
    assert exported == stored  # no $Format$ expansion, nothing export-ignored, no CRLF
    assert b"$Format:%d$" in exported["pkg/_version.py"] and exported["data.txt"] == b"one\ntwo\n"

    patch = source.diff(found.parent, found.sha, split_commit(found).non_test)
    proc = subprocess.run(
        ["git", "apply", "--check", "-"], cwd=fixture, input=patch.encode(), capture_output=True
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in (repo / ".git" / "info").iterdir()) == ["exclude"]  # the clone is untouched
