"""Every dashboard page at 1400 px and 390 px wide, measured in Chromium, with a screenshot of each.

The measurements are what a reader would notice: chart labels cut by an edge, cut short with "…",
overlapping or drawn too small to read; content overflowing its card; a page that scrolls sideways.
Screenshots go to ``$ZEBENCH_SCREENSHOT_DIR`` (else a pytest temporary folder), with an index.txt
listing them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_kit import PageProbe, _serve, chart_count, layout_problems
from dashboard_matrix_seed import MATRIX, UNPRICED_RUN, seed_matrix
from dashboard_seed import BATCH_MID, BATCH_OLD, HOSTILE_RUN, seed

from zebench.store import SqlStore, open_store

pytestmark = pytest.mark.browser

WIDTHS = (1400, 390)
# page name → (path, the least number of charts it must show)
PAGES: dict[str, tuple[str, int]] = {
    "overview": ("/", 1),
    "runs": ("/runs", 0),
    "run": ("/runs/run_b1_03", 0),
    "run-hostile": (f"/runs/{HOSTILE_RUN}", 0),
    "run-unpriced": (f"/runs/{UNPRICED_RUN}", 0),
    "batches": ("/batches", 0),
    "batch-matrix": (f"/batches/{MATRIX}", 4),
    "batch-controls": (f"/batches/{BATCH_MID}", 4),
    "compare-picker": ("/batches/compare", 0),
    "compare": (f"/batches/compare?ids={BATCH_OLD}&ids={BATCH_MID}&ids={MATRIX}", 1),
    "specialist-arms": (f"/batches/{MATRIX}/specialist", 2),
    "specialists": ("/specialists", 0),
    "agents": ("/agents", 1),
    "suites": ("/suites", 1),
    "scenario": ("/suites/examples/bump-dependency-pins", 1),
    "scenario-stored-only": ("/suites/examples/fix-tests", 1),
    "evaluators": ("/evaluators", 1),
    "costs": ("/costs", 2),
    "not-found": ("/runs/run_nope", 0),
}


@pytest.fixture(scope="module")
def matrix_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store: SqlStore = open_store(f"sqlite:///{tmp_path_factory.mktemp('layout') / 'zebench.db'}")
    seed(store)
    seed_matrix(store)
    server, thread, url = _serve(store)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the screenshots go; index.txt lists them when the module ends."""
    folder = Path(os.environ.get("ZEBENCH_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    names = sorted(p.name for p in folder.glob("*.png"))
    (folder / "index.txt").write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    print(f"\n{len(names)} dashboard screenshots in {folder}:\n" + "\n".join(names))


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized(browser: Any, request: pytest.FixtureRequest) -> Iterator[tuple[PageProbe, int]]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield PageProbe(page), request.param
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_its_width_and_every_chart_label_reads_whole(
    sized: tuple[PageProbe, int], matrix_url: str, shots: Path, name: str
) -> None:
    probe, width = sized
    path, least_charts = PAGES[name]
    response = probe.page.goto(matrix_url + path)
    assert response is not None and response.status == (404 if name == "not-found" else 200)
    probe.page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    assert chart_count(probe.page) >= least_charts
    problems = layout_problems(probe.page)
    assert problems == [], problems
    # Chromium logs the 404 page's own status as a console error; nothing else may be.
    errors = [e for e in probe.errors if not (name == "not-found" and "status of 404" in e)]
    assert errors == [] and probe.dialogs == []


def test_the_check_catches_a_cut_label(sized: tuple[PageProbe, int], matrix_url: str) -> None:
    """The measurement is real: a chart drawn the old way (label past the SVG's left edge) fails it."""
    probe, _ = sized
    probe.page.goto(matrix_url + "/evaluators")
    probe.page.evaluate(
        """() => {
          const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
          svg.setAttribute('class', 'chart'); svg.setAttribute('viewBox', '0 0 520 40');
          svg.setAttribute('aria-label', 'old chart');
          svg.innerHTML = '<text x="164" y="20" text-anchor="end" class="chart-tick">examples / bump-dependency-pins / a long label</text>';
          document.querySelector('.card').appendChild(svg);
        }"""
    )
    assert any("old chart" in p and "cut by the chart's edge" in p for p in layout_problems(probe.page))


EMPTY_STATES = {
    "/": "No runs yet.",
    "/runs": "No runs match these filters.",
    "/batches": "No batches yet.",
    "/batches/compare": "No batches yet.",
    "/agents": "No runs yet.",
    "/evaluators": "No evaluations yet.",
    "/costs": "No runs yet.",
    "/specialists": "No specialist runs are stored yet.",
    "/suites": "fix-failing-tests",  # the bundled suites are listed with no runs at all
}


def test_a_new_store_shows_empty_states_that_fit(
    sized: tuple[PageProbe, int], tmp_path: Path, shots: Path
) -> None:
    probe, width = sized
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    server, thread, url = _serve(store)
    try:
        for path, text in EMPTY_STATES.items():
            response = probe.page.goto(url + path)
            assert response is not None and response.status == 200, path
            assert text in probe.page.locator("main").inner_text(), path
            assert layout_problems(probe.page) == [], path
        probe.page.goto(url + "/")
        probe.page.screenshot(path=str(shots / f"overview-empty-{width}.png"), full_page=True)
        assert probe.errors == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
