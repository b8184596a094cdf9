"""A run's test summary, its tests artifact and a control's failing tests through the results server."""

from __future__ import annotations

from collections.abc import Callable

from client_helpers import LiveServer, make_run

from zebench.client import RemoteStore, ResultsClient
from zebench.results import BatchRecord, ControlResult
from zebench.results.models import TestSummary

Start = Callable[..., LiveServer]
SUMMARY = TestSummary(
    passed=3, failed=1, f2p_passed=0, f2p_total=1, p2p_passed=3, p2p_total=3, resolved=False
)


def test_summary_and_artifact_cross_the_api_one_by_one_and_in_bulk(start_server: Start) -> None:
    live = start_server(api_key="k")
    remote = RemoteStore(live.url, api_key="k", retries=0)
    remote.save_batch(BatchRecord(batch_id="batch_c"))
    one = make_run("run_t1", 1).model_copy(update={"tests": SUMMARY, "artifacts": {"tests": '{"x": 1}'}})
    remote.save_run(one)
    many = [make_run(f"run_t{i}", i).model_copy(update={"tests": SUMMARY}) for i in range(2, 6)]
    with ResultsClient(live.url, api_key="k", retries=0) as client:
        outcomes = client.submit_runs(many)  # the bulk endpoint
    assert [o.outcome for o in outcomes] == ["created"] * 4
    assert remote.get_run("run_t1").tests == SUMMARY
    assert remote.get_run("run_t4").tests == SUMMARY
    assert remote.get_artifact("run_t1", "tests") == '{"x": 1}'
    remote.save_control(
        "batch_c",
        ControlResult(
            suite="examples", scenario="fix-tests", passed=False, tests=SUMMARY, failed_tests=["t::bug"]
        ),
    )
    control = remote.get_batch("batch_c").controls[0]
    assert control.tests == SUMMARY and control.failed_tests == ["t::bug"]
