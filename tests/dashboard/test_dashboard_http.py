"""Dashboard pages over plain HTTP (no browser): status codes, escaping, headers, filters, compare."""

from __future__ import annotations

import base64
import re

import pytest
from dashboard_seed import (
    BATCH_MID,
    BATCH_NEW,
    BATCH_OLD,
    HOSTILE_RUN,
    IMG,
    SCRIPT,
    make_run,
    open_batch,
)
from fastapi.testclient import TestClient
from pydantic import SecretStr

from zebench.server import ServerSettings, create_app
from zebench.store import SqlStore

PAGES = [
    "/",
    "/runs",
    "/runs/run_b0_01",
    f"/runs/{HOSTILE_RUN}",
    "/batches",
    f"/batches/{BATCH_MID}",
    "/batches/compare",
    f"/batches/compare?ids={BATCH_OLD}&ids={BATCH_MID}",
    "/agents",
    "/suites",
    "/evaluators",
    "/costs",
]
RUN_LINK = re.compile(r'href="/runs/(run_[^"]+)"')


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_strict_csp_and_no_inline_script(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    html = response.text
    assert "<nav>" in html and 'href="/costs"' in html
    # Every script is an external file from /static; none inline, none from another origin.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/dashboard.js" defer>']
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


@pytest.mark.parametrize("path", PAGES)
def test_hostile_strings_never_appear_unescaped(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert SCRIPT not in html
    assert IMG not in html
    assert "<img" not in html
    assert "onerror=alert" not in html or "&lt;img src=x onerror=alert(2)&gt;" in html


def test_hostile_run_shows_every_agent_text_escaped(client: TestClient) -> None:
    html = client.get(f"/runs/{HOSTILE_RUN}").text
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    escaped_img = "&lt;img src=x onerror=alert(2)&gt;"
    for where in (
        f"agent crashed: {escaped_script}",  # reason
        f"I will read the file first. {escaped_script}",  # assistant message
        f"exit code 1 {escaped_script}",  # tool error
        f"stdout {escaped_script}",  # validation output
        f"stderr {escaped_img}",
        f"final answer: {escaped_script}",  # agent_output artifact
        f"summary {escaped_script}",  # evaluation summary
        f"src/{escaped_img}.py",  # diff file name and changed file
    ):
        assert where in html, where


def test_svg_chart_labels_are_escaped(client: TestClient) -> None:
    html = client.get("/agents").text
    svg = html[html.index("<svg") : html.rindex("</svg>")]
    assert "&lt;img src=x" in svg and "<img" not in svg


@pytest.mark.parametrize(
    ("path", "what"), [("/runs/run_missing", "Run"), ("/batches/batch_missing", "Batch")]
)
def test_unknown_run_or_batch_is_a_friendly_404_page(client: TestClient, path: str, what: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f"{what} not found" in response.text
    assert path.rsplit("/", 1)[1] in response.text


def test_unknown_id_in_the_path_is_escaped_on_the_404_page(client: TestClient) -> None:
    response = client.get("/runs/%3Cimg%20src=x%20onerror=alert(2)%3E")
    assert response.status_code == 404
    assert IMG not in response.text and "&lt;img src=x onerror=alert(2)&gt;" in response.text


def _run_ids(html: str) -> list[str]:
    return RUN_LINK.findall(html)


def test_runs_filters_apply_server_side(client: TestClient) -> None:
    html = client.get("/runs", params={"agent": "openai", "model": "gpt-4o", "tier": "L2"}).text
    ids = _run_ids(html)
    assert len(ids) == 9 and "9 matching" in html  # 3 batches × 3 scenarios
    assert "anthropic" not in html.split("<tbody>", 1)[1]
    timed_out = _run_ids(client.get("/runs", params={"status": "timed_out"}).text)
    assert timed_out == ["run_timeout_1"]
    in_batch = _run_ids(client.get("/runs", params={"batch": BATCH_OLD, "limit": "200"}).text)
    assert len(in_batch) == 12 and all(i.startswith("run_b0_") for i in in_batch)
    failures = client.get("/runs", params={"outcome": "failure", "scenario": "fix-tests"}).text
    assert "badge pass" not in failures


def test_runs_cursor_pagination_walks_every_run_once(client: TestClient) -> None:
    seen: list[str] = []
    url = "/runs?limit=25&sort=-total_score"
    pages = 0
    while url:
        html = client.get(url).text
        seen += _run_ids(html)
        pages += 1
        match = re.search(r'id="next-page" href="([^"]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else ""
    assert pages == 2
    assert len(seen) == len(set(seen)) == 38  # 3 × 12 + the hostile and the timed-out run
    assert "sort=-total_score" in client.get("/runs?limit=25&sort=-total_score").text.replace("%2D", "-")


def test_runs_bad_values_are_reported_not_500(client: TestClient) -> None:
    html = client.get("/runs", params={"status": "bogus", "sort": "nope", "cursor": "garbage"}).text
    assert "unknown status" in html and "unknown sort" in html and "page link has expired" in html


def test_compare_two_and_three_batches_with_deltas(client: TestClient) -> None:
    two = client.get("/batches/compare", params=[("ids", BATCH_OLD), ("ids", BATCH_MID)]).text
    assert "Mean score per scenario" in two and "baseline" in two
    assert "▲ +0.051" in two  # mean score 0.640 → 0.691
    three = client.get(
        "/batches/compare", params=[("ids[]", BATCH_OLD), ("ids[]", BATCH_MID), ("ids[]", BATCH_NEW)]
    ).text
    assert three.count('title="batch_') >= 3 and "▲ +0.200" in three


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([("ids", BATCH_OLD)], "pick between 2 and 5"),
        ([("ids", BATCH_OLD), ("ids", "batch_nope")], "batch &#39;batch_nope&#39; not found"),
        ([("ids", f"b{i}") for i in range(6)], "pick between 2 and 5"),
    ],
)
def test_compare_with_bad_ids_shows_the_picker(
    client: TestClient, params: list[tuple[str, str | int | float | bool | None]], message: str
) -> None:
    response = client.get("/batches/compare", params=params)
    assert response.status_code == 200
    assert message in response.text
    assert 'id="compare-picker"' in response.text and "Mean score per scenario" not in response.text


def test_batch_page_shows_breakdowns_controls_and_failures(client: TestClient) -> None:
    html = client.get(f"/batches/{BATCH_MID}").text
    for text in ("By scenario", "By tier", "By agent / model", "By evaluator", "Warmup controls"):
        assert text in html
    assert html.count('<figure class="chart rows"') == 4
    assert "2 failed (expected: the fixture is broken)" in html
    assert "agent exceeded 600 s" in html
    assert "data-live-url" not in html  # completed batches do not poll


def test_fingerprint_changes_when_a_run_is_added(fresh_store: SqlStore) -> None:
    client = TestClient(create_app(fresh_store))
    open_batch(fresh_store)
    page = client.get("/batches/batch_live").text
    first = client.get("/dashboard-api/batches/batch_live/fingerprint").json()
    assert f'data-live-fingerprint="{first["fingerprint"]}"' in page
    assert first["runs"] == 1  # no "completed": the store's cheap fingerprint covers completion
    fresh_store.save_run(make_run(2, 1, run_id="run_live_1", batch_id="batch_live"))
    second = client.get("/dashboard-api/batches/batch_live/fingerprint").json()
    assert second["fingerprint"] != first["fingerprint"] and second["runs"] == 2
    overview = client.get("/").text
    assert 'data-live-url="/dashboard-api/fingerprint"' in overview
    assert client.get("/dashboard-api/batches/nope/fingerprint").status_code == 404


def test_read_key_protects_the_dashboard_too(fresh_store: SqlStore) -> None:
    client = TestClient(create_app(fresh_store, ServerSettings(read_key=SecretStr("s3cret"))))
    denied = client.get("/runs")
    assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Basic")
    basic = base64.b64encode(b"me:s3cret").decode()
    assert client.get("/runs", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_static_files_are_served(client: TestClient) -> None:
    assert "live" in client.get("/static/dashboard.js").text
    assert client.get("/static/dashboard.css").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200
