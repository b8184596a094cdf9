"""RemoteStore answers the round-2 store reads over HTTP exactly as the local store does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from client_helpers import LiveServer, make_run

from zebench.client import RemoteStore
from zebench.errors import NotFoundError
from zebench.store import SqlStore
from zebench.store.base import ResultStore
from zebench.store.queries import RunFilters

Start = Callable[..., LiveServer]


def test_remote_store_answers_the_new_reads(start_server: Start, server_store: SqlStore) -> None:
    live = start_server()
    remote: ResultStore = RemoteStore(live.url, retries=0)
    for i in range(8):
        remote.save_run(make_run(f"run_{i}", i))
    batch_id = server_store.list_runs().items[0].batch_id

    assert remote.scenario_stats() == server_store.scenario_stats()
    assert remote.scenario_stats(per="suite") == server_store.scenario_stats(per="suite")
    filters = RunFilters(batch_id=batch_id)
    assert remote.scenario_stats(filters) == server_store.scenario_stats(filters)
    assert remote.batch_fingerprint(batch_id) == server_store.batch_fingerprint(batch_id)
    with pytest.raises(NotFoundError):
        remote.batch_fingerprint("nope")

    detail = remote.get_batch(batch_id, with_evaluations=True)
    assert detail == server_store.get_batch(batch_id, with_evaluations=True)
    assert all(r.evaluations is not None for r in detail.runs)
    assert all(r.evaluations is None for r in remote.get_batch(batch_id).runs)
    assert remote.stats().judge_cost_usd == server_store.stats().judge_cost_usd

    assert remote.get_run_fingerprint("run_3") == ("completed", None)  # the hash stays on the server
    assert remote.get_run_fingerprint("nope") is None
