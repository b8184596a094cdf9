"""The dashboard in headless Chromium: pages load cleanly, forms work, XSS stays text, live refresh."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dashboard_kit import PageProbe, chart_count
from dashboard_seed import BATCH_MID, BATCH_NEW, BATCH_OLD, HOSTILE_RUN, IMG, SCRIPT, make_run, open_batch

from zebench.dashboard.core import NAV
from zebench.store import SqlStore

pytestmark = pytest.mark.browser

PAGES = {
    "/": "Overview",
    "/runs": "Runs",
    "/runs/run_b1_03": "examples/fix-tests",
    f"/runs/{HOSTILE_RUN}": "examples/fix-tests",
    "/batches": "Batches",
    f"/batches/{BATCH_MID}": BATCH_MID,
    "/batches/compare": "Compare batches",
    f"/batches/compare?ids={BATCH_OLD}&ids={BATCH_NEW}": "Compare batches",
    "/agents": "Agents",
    "/suites": "Suites",
    "/evaluators": "Evaluators",
    "/costs": "Cost",
}


def _assert_clean(probe: PageProbe) -> None:
    assert probe.errors == [], probe.errors
    assert probe.dialogs == [], probe.dialogs


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_console_errors(probe: PageProbe, base_url: str, path: str) -> None:
    response = probe.page.goto(base_url + path)
    assert response is not None and response.status == 200
    assert PAGES[path] in probe.page.locator("h1").inner_text()
    assert probe.page.locator("header nav a").count() == len(NAV)
    # The stylesheet applied (no CDN, served from /static): the top bar is dark.
    background = probe.page.eval_on_selector("header.topbar", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(17, 24, 39)"
    _assert_clean(probe)


def test_unknown_run_shows_the_friendly_404(probe: PageProbe, base_url: str) -> None:
    response = probe.page.goto(base_url + "/runs/run_nope")
    assert response is not None and response.status == 404
    assert probe.page.locator("h1").inner_text() == "Run not found"
    probe.page.click("text=Browse runs")
    assert probe.page.url.endswith("/runs")


def test_hostile_strings_render_as_text_and_never_execute(probe: PageProbe, base_url: str) -> None:
    page = probe.page
    page.goto(f"{base_url}/runs/{HOSTILE_RUN}")
    # Open every <details> so collapsed tool results and arguments are rendered too.
    page.eval_on_selector_all("details", "els => els.forEach(e => e.open = true)")
    text = page.locator("main").inner_text()
    assert f"agent crashed: {SCRIPT}" in text
    assert f"final answer: {SCRIPT}" in text
    assert f"stderr {IMG}" in text
    assert text.count(SCRIPT) >= 8 and text.count(IMG) >= 6
    assert page.locator("main img").count() == 0
    assert page.locator("script").count() == 1  # only /static/dashboard.js
    assert page.locator("[onerror]").count() == 0
    for path in ("/", "/runs", "/agents", "/costs", f"/batches/{BATCH_MID}"):
        page.goto(base_url + path)
        assert page.locator("img, [onerror]").count() == 0
        assert page.locator("script").count() == 1
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    _assert_clean(probe)


def test_runs_filter_form_and_cursor_pagination(probe: PageProbe, base_url: str) -> None:
    page = probe.page
    page.goto(f"{base_url}/runs?limit=25")
    assert page.locator("table.runs tbody tr").count() == 25
    first_page_ids = page.locator("table.runs tbody td:first-child a").all_inner_texts()
    page.click("#next-page")
    page.wait_for_load_state()
    assert "cursor=" in page.url
    second_page_ids = page.locator("table.runs tbody td:first-child a").all_inner_texts()
    assert len(second_page_ids) == 13 and not set(first_page_ids) & set(second_page_ids)
    assert page.locator("#next-page").count() == 0
    page.click("#first-page")
    page.wait_for_load_state()
    assert "cursor=" not in page.url

    page.fill("input[name=scenario]", "fix-tests")
    page.fill("input[name=agent]", "openai")
    with page.expect_navigation():
        page.click("button:has-text('Apply')")
    # The script drops empty fields, so the URL carries only what was set.
    assert "scenario=fix-tests" in page.url and "agent=openai" in page.url and "suite=" not in page.url
    rows = page.locator("table.runs tbody tr")
    assert rows.count() == 7  # 3 batches × 2 tiers, plus the hostile run
    assert all("fix-tests" in t for t in page.locator("table.runs tbody td:nth-child(3)").all_inner_texts())
    # Changing a select applies at once.
    with page.expect_navigation():
        page.select_option("select[name=status]", "failed")
    assert "status=failed" in page.url
    assert page.locator("table.runs tbody tr").count() == 1
    assert page.locator("h1 .count").inner_text() == "1 matching"
    _assert_clean(probe)


@pytest.mark.parametrize("picked", [[BATCH_OLD, BATCH_MID], [BATCH_OLD, BATCH_MID, BATCH_NEW]])
def test_compare_picker_for_two_and_three_batches(probe: PageProbe, base_url: str, picked: list[str]) -> None:
    page = probe.page
    page.goto(f"{base_url}/batches/compare")
    assert "Pick 2–5 batches" in page.locator("main").inner_text()
    for batch_id in picked:
        page.check(f"input[name=ids][value={batch_id}]")
    with page.expect_navigation():
        page.click("#compare-picker button[type=submit]")
    assert page.url.count("ids=") == len(picked)
    metrics = page.locator("table.compare").first
    assert metrics.locator("thead th").count() == 1 + len(picked)
    assert metrics.locator("tbody tr").count() == 11
    # The oldest ticked batch is the baseline; later seeded batches score higher.
    assert metrics.locator("thead th").nth(1).get_attribute("title") == BATCH_OLD
    assert page.locator(".delta.d-better").count() > 0
    assert chart_count(page) == 1
    _assert_clean(probe)


def test_compare_refuses_one_batch_in_the_browser(probe: PageProbe, base_url: str) -> None:
    page = probe.page
    page.goto(f"{base_url}/batches/compare")
    page.check(f"input[name=ids][value={BATCH_OLD}]")
    page.click("#compare-picker button[type=submit]")
    assert "Tick between 2 and 5 batches (1 ticked)" in page.locator(".compare-note").inner_text()
    assert "ids=" not in page.url
    _assert_clean(probe)


def test_running_batch_page_reloads_when_a_run_arrives(
    probe: PageProbe, fresh_store: SqlStore, serve: Callable[[SqlStore], str]
) -> None:
    open_batch(fresh_store)
    url = serve(fresh_store)
    page = probe.page
    page.goto(f"{url}/batches/batch_live")
    assert page.locator("#live-indicator").is_visible()
    assert page.locator("#all-runs h2 .count").inner_text() == "1"
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(3500)  # one poll with nothing new: no reload
    assert page.evaluate("window.__notReloaded === true")
    # (wait_for_function would need eval, which the page's CSP rightly forbids.)
    with page.expect_navigation(timeout=10_000):
        fresh_store.save_run(make_run(2, 1, run_id="run_live_1", batch_id="batch_live"))
    page.wait_for_load_state()
    assert page.evaluate("window.__notReloaded === undefined")
    assert page.locator("#all-runs h2 .count").inner_text() == "2"
    _assert_clean(probe)


def test_overview_reloads_while_a_batch_runs(
    probe: PageProbe, fresh_store: SqlStore, serve: Callable[[SqlStore], str]
) -> None:
    open_batch(fresh_store)
    url = serve(fresh_store)
    page = probe.page
    page.goto(url + "/")
    assert page.locator(".kpi-value").first.inner_text() == "39"
    with page.expect_navigation(timeout=10_000):
        fresh_store.save_run(make_run(2, 2, run_id="run_live_2", batch_id="batch_live"))
    page.wait_for_load_state()
    assert page.locator(".kpi-value").first.inner_text() == "40"
    _assert_clean(probe)


def test_the_model_call_timeline_draws_one_bar_per_call(probe: PageProbe, base_url: str) -> None:
    page = probe.page
    page.goto(f"{base_url}/runs/{HOSTILE_RUN}#model-calls")
    bars = page.locator("#model-calls svg.row-track g.chart-bar rect")
    assert bars.count() == 3
    boxes = [bars.nth(i).bounding_box() for i in range(3)]
    assert all(box is not None and box["width"] > 0 for box in boxes)
    # Bars start in call order and the 1.5 s call is drawn longest.
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # type: ignore[index]
    assert boxes[0]["width"] > boxes[1]["width"] > 0  # type: ignore[index]
    assert page.locator("#model-calls table tbody tr").count() == 3


def test_runs_an_older_server_stored_out_of_range_render(
    probe: PageProbe, fresh_store: SqlStore, serve: Callable[[SqlStore], str]
) -> None:
    """A total score of 1e308 and a negative cost, as servers before the API's ranges accepted them."""
    run = make_run(0, 0, run_id="run_huge", batch_id="batch_old")
    run.total_score, run.telemetry.cost_usd = 1e308, -2.0
    run.evaluations[0].score, run.evaluations[0].weight = 1e308, -1.0
    fresh_store.save_run(run)
    url = serve(fresh_store)
    page = probe.page
    for path, heading in (
        ("/runs/run_huge", "examples/fix-tests"),
        ("/batches/batch_old", "batch_old"),
        ("/", "Overview"),
        ("/agents", "Agents"),
        ("/suites", "Suites"),
        ("/evaluators", "Evaluators"),
        ("/costs", "Cost"),
        ("/runs?sort=-total_score", "Runs"),
    ):
        response = page.goto(url + path)
        assert response is not None and response.status == 200, path
        assert heading in page.locator("h1").inner_text(), path
    page.goto(url + "/runs/run_huge")
    assert "1e+308" in page.locator("main").inner_text()
    page.goto(url + "/batches/batch_old")
    assert "1e+308" in page.locator("main").inner_text()  # the run's row shows what was stored
    _assert_clean(probe)
