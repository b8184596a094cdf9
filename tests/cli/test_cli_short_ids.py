"""Ids a user can copy (issue 17): lists show each id by a unique end that Rich never cuts, at 80
and 140 columns; ``--wide`` shows them whole; any unique start or end resolves in every command
that takes an id; an ambiguous one is one line naming the candidates. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from cli_helpers import CliRun, as_json

from pg import create_database
from zebench.store.ids import short_ids


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> list[str]:
    """``--db`` arguments: none (the default results/zebench.db) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return []
    url = create_database(request.getfixturevalue("postgres_url"), f"cli_ids_{uuid.uuid4().hex[:10]}")
    return ["--db", url]


def _batch_id(stdout: str) -> str:
    return re.search(r"zebench batch (\S+)", stdout).group(1)  # type: ignore[union-attr]


def _whole_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9_.:@+-]+", text))


def test_ids_in_lists_resolve_and_are_never_cut(zb: CliRun, db: list[str], tmp_path: Path) -> None:
    first = _batch_id(
        zb("bench", "examples", "fix-failing-tests", "node-fix-tests", "--agent", "echo", *db).stdout
    )
    second = _batch_id(zb("bench", "examples", "fix-failing-tests", "--agent", "oracle", *db, check=0).stdout)
    runs = [r["run_id"] for r in as_json(zb("runs", "--json", *db, check=0))["items"]]
    assert len(runs) == 3
    short = short_ids(runs)
    assert all(len(s) == 8 and r.endswith(s) for r, s in short.items())

    for columns in ("80", "140"):
        listed = zb("runs", *db, check=0, COLUMNS=columns).stdout
        words = _whole_words(listed)
        assert set(short.values()) <= words, listed  # each short id whole on its row
        assert "…" not in "".join(line.split("│")[1] for line in listed.splitlines() if line.count("│") > 2)
        assert "any unique start or end of an id works" in listed
        wide = zb("runs", "--wide", *db, check=0, COLUMNS=columns).stdout
        assert set(runs) <= _whole_words(wide), wide  # --wide: whole ids, not folded at 80 columns
        batches = zb("batches", *db, check=0, COLUMNS=columns).stdout
        assert {short_ids([first, second])[b] for b in (first, second)} <= _whole_words(batches)
        assert {first, second} <= _whole_words(zb("batches", "--wide", *db, check=0, COLUMNS=columns).stdout)
        detail = zb("batch", first[-6:], *db, check=0, COLUMNS=columns).stdout  # a unique end of the batch id
        assert first in detail and set(short_ids(runs[1:]).values()) <= _whole_words(detail)

    # Every command that takes an id takes a unique start or end of one.
    for run_id, label in short.items():
        shown = zb("run", label, *db, check=0).stdout
        assert run_id in shown
        assert as_json(zb("run", run_id[:-3], *db, "--json", check=0))["run_id"] == run_id
    filtered = as_json(zb("runs", "--batch", first[-6:], "--json", *db, check=0))["items"]
    assert sorted(r["run_id"] for r in filtered) == sorted(runs[1:])
    compared = zb("compare", first[-7:], second[-7:], *db, check=0, COLUMNS="80")
    assert "Mean score" in compared.stdout and "Traceback" not in compared.stderr
    resumed = zb("bench", "--resume", second[-6:], *db, check=0)
    assert "0 to run" in resumed.stderr

    # Ambiguous and unknown ids: one line, exit 2, the candidates named.
    ambiguous = zb("run", "run_1", *db)  # the start every run id shares
    assert ambiguous.returncode == 2 and "Traceback" not in ambiguous.stderr
    message = " ".join(ambiguous.stderr.split())
    assert message.startswith("error: run id 'run_1' is ambiguous") and "give more of the id" in message
    assert all(run_id in message for run_id in runs)
    unknown = zb("batch", "no-such-batch", *db)
    assert unknown.returncode == 2 and "batch 'no-such-batch' not found" in " ".join(unknown.stderr.split())
    empty = zb("compare", first, "  ", *db)
    assert empty.returncode == 2 and "give a batch id" in empty.stderr
