"""Shortened ids (issue 17): any unique start or end of a run or batch id resolves, on SQLite and
PostgreSQL; an ambiguous one names the candidates; the controls of a batch are read back per scenario."""

from __future__ import annotations

import pytest
from store_helpers import simple_run

from zebench.errors import AmbiguousIdError, NotFoundError, ZebenchError
from zebench.results.models import BatchRecord, CommandResult, ControlResult
from zebench.store import SqlStore
from zebench.store.ids import resolved_id, short_ids
from zebench.store.queries import IdMatches

# Runs of one batch share run_<ms>_: only the random end tells them apart.
RUNS = ["run_1700000000000_ab12cd34", "run_1700000000000_ef56ab78", "run_1700000000001_zz99yy88"]


def _seed(store: SqlStore) -> None:
    store.save_runs([simple_run(run_id, batch_id="batch_1700000000000") for run_id in RUNS])
    store.save_batch(BatchRecord(batch_id="nightly_2025-03-01"))


def test_a_unique_suffix_or_prefix_resolves_to_the_full_id(store: SqlStore) -> None:
    _seed(store)
    assert store.resolve_id("run", "ab12cd34") == RUNS[0]  # the random end
    assert store.resolve_id("run", "cd34") == RUNS[0]
    assert store.resolve_id("run", "run_1700000000001") == RUNS[2]  # a start
    assert store.resolve_id("run", f"  {RUNS[1]}  ") == RUNS[1]  # whole, whitespace trimmed
    assert store.resolve_id("batch", "00000") == "batch_1700000000000"
    assert store.resolve_id("batch", "nightly") == "nightly_2025-03-01"
    assert store.resolve_id("batch", "03-01") == "nightly_2025-03-01"


def test_an_exact_id_wins_over_longer_ids_it_starts(store: SqlStore) -> None:
    store.save_runs([simple_run("run_1"), simple_run("run_12"), simple_run("run_123")])
    assert store.resolve_id("run", "run_12") == "run_12"
    assert store.match_ids("run", "run_12") == IdMatches(
        kind="run", query="run_12", exact=True, ids=["run_12"]
    )


def test_an_ambiguous_id_names_its_candidates_in_one_line(store: SqlStore) -> None:
    _seed(store)
    with pytest.raises(AmbiguousIdError) as caught:
        store.resolve_id("run", "run_1700000000000")
    line = caught.value.one_line()
    assert "\n" not in line and caught.value.exit_code == 2
    assert RUNS[0] in line and RUNS[1] in line and RUNS[2] not in line
    # "8" ends two ids: a suffix can be ambiguous too.
    with pytest.raises(AmbiguousIdError, match="ef56ab78"):
        store.resolve_id("run", "8")


def test_matching_is_exact_about_case_and_like_wildcards(store: SqlStore) -> None:
    _seed(store)
    for query in ("AB12CD34", "%", "_", "run%", "ab12cd3_"):
        with pytest.raises(NotFoundError):
            store.resolve_id("run", query)
    assert store.match_ids("run", "_").ids == []


def test_an_unknown_or_empty_id_is_one_clear_line(store: SqlStore) -> None:
    _seed(store)
    with pytest.raises(NotFoundError) as caught:
        store.resolve_id("batch", "nope")
    assert (
        "batch 'nope' not found" in caught.value.one_line() and "zebench batches" in caught.value.one_line()
    )
    with pytest.raises(ZebenchError, match="give a run id"):
        store.resolve_id("run", "   ")


def test_candidates_are_newest_first_and_capped(store: SqlStore) -> None:
    store.save_runs([simple_run(f"run_17000000000{i:02d}_aaaaaaa{i % 10}") for i in range(25)])
    matches = store.match_ids("run", "run_17", limit=10)
    assert len(matches.ids) == 10 and matches.more
    assert matches.ids == sorted(matches.ids, reverse=True)
    with pytest.raises(AmbiguousIdError, match="and more"):
        resolved_id(matches)


def test_controls_are_read_back_per_scenario(store: SqlStore) -> None:
    commands = [CommandResult(name="tests", command="pytest", exit_code=1, stdout="1 failed")]
    store.save_control("b1", ControlResult(suite="s", scenario="one", commands=commands, passed=False))
    store.save_control("b1", ControlResult(suite="s", scenario="two", commands=[], passed=True))
    store.save_control("b2", ControlResult(suite="s", scenario="one", commands=[], passed=True))
    controls = store.get_controls("b1")
    assert [(c.scenario, c.passed) for c in controls] == [("one", False), ("two", True)]
    assert controls[0].commands[0].stdout == "1 failed"
    assert store.get_controls("unknown") == []


def test_short_ids_keep_the_part_that_tells_runs_apart() -> None:
    shown = short_ids([*RUNS, "nightly_2025-03-01", "batch_1700000000000"])
    assert shown[RUNS[0]] == "ab12cd34" and shown[RUNS[1]] == "ef56ab78" and shown[RUNS[2]] == "zz99yy88"
    assert shown["nightly_2025-03-01"] == "nightly_2025-03-01"  # a name a user chose: whole
    assert shown["batch_1700000000000"] == "00000000"
    # Two ids with the same random end: each grows until it is unique among the rows.
    twins = short_ids(["run_1700000000000_samesame", "run_1700000000001_samesame"])
    assert twins == {
        "run_1700000000000_samesame": "0_samesame",
        "run_1700000000001_samesame": "1_samesame",
    }
    for ident, short in twins.items():
        assert ident.endswith(short) and not any(
            other.endswith(short) or other.startswith(short) for other in twins if other != ident
        )
