"""Shortened ids in dashboard URLs (issue 17): a unique start or end of a run or batch id redirects
to the canonical URL; an ambiguous one lists the candidates; an unknown one is the 404 page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dashboard_kit import PageProbe
from dashboard_seed import BATCH_MID, BATCH_NEW, BATCH_OLD, make_run
from fastapi.testclient import TestClient

from zebench.server import create_app
from zebench.store import SqlStore

RUNS = ["run_1741003200000_ab12cd34", "run_1741003200000_ef56ab78"]


@pytest.fixture
def store(fresh_store: SqlStore) -> SqlStore:
    for i, run_id in enumerate(RUNS):
        fresh_store.save_run(make_run(2, 50 + i, run_id=run_id))
    return fresh_store


@pytest.fixture
def http(store: SqlStore) -> TestClient:
    return TestClient(create_app(store), follow_redirects=False)


def test_a_unique_end_of_a_run_id_redirects_to_the_run(http: TestClient) -> None:
    response = http.get("/runs/ab12cd34")
    assert response.status_code == 307 and response.headers["location"] == f"/runs/{RUNS[0]}"
    page = http.get(response.headers["location"])
    assert page.status_code == 200 and RUNS[0] in page.text


def test_batch_pages_redirect_with_their_query_and_subpage(http: TestClient) -> None:
    response = http.get(f"/batches/{BATCH_MID[-7:]}?tab=runs")
    assert response.status_code == 307 and response.headers["location"] == f"/batches/{BATCH_MID}?tab=runs"
    specialist = http.get(f"/batches/{BATCH_NEW[-7:]}/specialist")
    assert (
        specialist.status_code == 307 and specialist.headers["location"] == f"/batches/{BATCH_NEW}/specialist"
    )
    assert http.get(f"/batches/{BATCH_MID}").status_code == 200  # the full id: no redirect


def test_compare_urls_redirect_to_the_full_ids(http: TestClient) -> None:
    response = http.get(f"/batches/compare?ids={BATCH_OLD[-6:]}&ids={BATCH_NEW[-6:]}&baseline=oldest")
    assert response.status_code == 307
    assert response.headers["location"] == f"/batches/compare?ids={BATCH_OLD}&ids={BATCH_NEW}&baseline=oldest"
    assert http.get(response.headers["location"]).status_code == 200
    ambiguous = http.get(f"/batches/compare?ids=batch_17&ids={BATCH_NEW}")
    assert ambiguous.status_code == 200 and "is ambiguous" in ambiguous.text and BATCH_OLD in ambiguous.text


def test_an_ambiguous_id_lists_the_candidates_and_an_unknown_one_is_404(http: TestClient) -> None:
    page = http.get("/runs/run_1741003200000")
    assert page.status_code == 300
    for run_id in RUNS:
        assert f'href="/runs/{run_id}"' in page.text
    assert http.get("/runs/zzzzzz").status_code == 404
    assert http.get("/batches/zzzzzz").status_code == 404


@pytest.mark.browser
def test_the_browser_lands_on_the_canonical_url(
    probe: PageProbe, serve: Callable[[SqlStore], str], store: SqlStore
) -> None:
    base = serve(store)
    response = probe.page.goto(f"{base}/runs/ef56ab78")
    assert response is not None and response.status == 200
    assert probe.page.url == f"{base}/runs/{RUNS[1]}"
    probe.page.goto(f"{base}/runs/run_1741003200000")
    assert probe.page.locator("h1").inner_text() == "Which run?"
    probe.page.click(f"text={RUNS[0]}")
    assert probe.page.url == f"{base}/runs/{RUNS[0]}"
    assert probe.errors == [] and probe.dialogs == []
