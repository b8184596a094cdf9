"""Issue 17's dashboard points, as a user meets them: /docs offline, the scenario × agent grid,
warmup controls, cost wording, the Suites and scenario pages, the run's workspace line."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from dashboard_kit import PageProbe, _serve
from dashboard_matrix_seed import MATRIX, MATRIX_AGENTS, seed_matrix
from dashboard_seed import BATCH_MID, make_run, seed
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from zebench.cli.app import app as cli
from zebench.scenarios import load_scenario, resolve_prompt
from zebench.server import create_app
from zebench.store import SqlStore, open_store

RED = "rgb(198, 40, 40)"  # --bad


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    path = tmp_path_factory.mktemp("newcomer") / "zebench.db"
    opened = open_store(f"sqlite:///{path}")
    seed(opened)
    seed_matrix(opened)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def url(store: SqlStore) -> Iterator[str]:
    server, thread, base = _serve(store)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def http(store: SqlStore) -> TestClient:
    return TestClient(create_app(store))


def _offline(page: Any) -> list[str]:
    """Abort every request that is not to 127.0.0.1, as on an air-gapped machine; return their URLs."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def _operations(http: TestClient) -> int:
    spec = http.get("/openapi.json").json()
    return sum(
        1 for methods in spec["paths"].values() for m in methods if m in {"get", "post", "put", "delete"}
    )


# --- /docs ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_swagger_ui_renders_every_operation_with_the_network_off(
    probe: PageProbe, url: str, http: TestClient
) -> None:
    blocked = _offline(probe.page)
    # Swagger UI's bundle is 1.5 MB of script: on a loaded 2-core machine parsing it alone can take
    # more than the kit's default 10 s, so this page gets longer (a bound, not a measurement).
    probe.page.goto(url + "/docs", timeout=60_000)
    probe.page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    assert "zebench results API" in probe.page.locator(".swagger-ui .info .title").inner_text()
    assert probe.page.locator(".swagger-ui .opblock").count() == _operations(http) > 10
    assert probe.page.locator(".opblock-summary-path", has_text="/api/results").count() >= 1
    assert blocked == []


def test_docs_page_names_no_cdn_and_redoc_is_gone(http: TestClient) -> None:
    html = http.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert http.get(asset).status_code == 200, asset
    # ReDoc's bundle loads its logo from its CDN whatever it is told, so it is not served.
    assert http.get("/redoc").status_code == 404


# --- the batch page: grid and controls -------------------------------------------------------------


@pytest.mark.browser
def test_matrix_batch_has_a_scenario_by_agent_grid_linked_to_its_runs(probe: PageProbe, url: str) -> None:
    page = probe.page
    page.goto(f"{url}/batches/{MATRIX}")
    grid = page.locator("#matrix table")
    heads = grid.locator("thead th").all_inner_texts()
    assert (
        heads[:2] == ["SCENARIO", "TIER"] and len(heads) == 2 + len(MATRIX_AGENTS) + 1
    )  # + the unpriced agent
    assert grid.locator("tbody tr").count() == 6 * 3
    row = grid.locator("tbody tr", has=page.locator("th", has_text="examples/bump-dependency-pins")).nth(1)
    assert row.locator("td").first.inner_text() == "L1"
    anthropic = row.locator("td.cell").first
    # The seed's score for bump-dependency-pins (4th scenario), L1, anthropic: 0.35 + 0.3 + 0.08.
    assert anthropic.inner_text().split() == ["0.73", "1/1", "passed"]
    with page.expect_navigation():
        anthropic.locator("a").click()
    assert "/runs/run_1741262400" in page.url
    assert "examples/bump-dependency-pins" in page.locator("h1").inner_text()
    assert "tier L1" in page.locator(".meta").first.inner_text()
    assert probe.errors == []


@pytest.mark.browser
def test_a_cell_of_several_runs_links_to_exactly_those_runs(probe: PageProbe, url: str) -> None:
    page = probe.page
    page.goto(f"{url}/batches/{BATCH_MID}")
    # upgrade-deps, L1, anthropic / claude-sonnet holds run_b1_02 and the timed-out run.
    row = page.locator("#matrix tbody tr", has=page.locator("th", has_text="examples/upgrade-deps")).first
    cell = row.locator("td.cell").first
    assert "1/2 passed" in cell.inner_text()
    with page.expect_navigation():
        cell.locator("a").click()
    ids = page.locator("table.runs tbody td:first-child a").evaluate_all("els => els.map(e => e.title)")
    assert sorted(ids) == ["run_b1_02", "run_timeout_1"]


@pytest.mark.browser
def test_controls_tell_an_intended_failure_from_a_broken_validation(probe: PageProbe, url: str) -> None:
    page = probe.page
    page.goto(f"{url}/batches/{BATCH_MID}")
    intended = page.locator("details.control", has_text="examples/fix-tests")
    assert intended.locator(".badge").first.inner_text() == "FAILS AS INTENDED"
    assert "the pristine fixture fails test, as a scenario that starts broken should" in intended.inner_text()
    intended.locator("summary").click()
    for badge in intended.locator(".badge").all():
        assert badge.evaluate("e => getComputedStyle(e).color") != RED, badge.inner_text()
    assert page.locator("#controls").get_by_text("FAILED", exact=True).count() == 0

    page.goto(f"{url}/batches/{MATRIX}")
    broken = page.locator("details.control", has_text="bump-dependency-pins")
    badge = broken.locator(".badge").first
    assert badge.inner_text() == "CONTROL BROKEN" and badge.evaluate("e => getComputedStyle(e).color") == RED
    assert "could not run on the pristine fixture (install)" in broken.inner_text()
    passes = page.locator("details.control", has_text="implement-feature").locator(".badge").first
    assert passes.inner_text() == "CONTROL PASSES"
    # A skipped evaluator reads "not scored" in the chart, not a score of 0.00.
    evaluator_chart = page.locator("figure.chart.rows[aria-label='Mean score by evaluator']")
    values = evaluator_chart.locator(".row-value").all_inner_texts()
    labels = evaluator_chart.locator(".row-label").all_inner_texts()
    assert dict(zip(labels, values, strict=True))["judge"] == "not scored"


# --- costs ---------------------------------------------------------------------------------------


def _kpi(page: Any, label: str) -> str:
    text: str = page.locator(".kpi", has=page.locator(".kpi-label", has_text=label)).inner_text()
    return " ".join(text.split())


@pytest.mark.browser
def test_costs_page_counts_measured_estimated_and_unknown_as_the_cli_labels_them(
    probe: PageProbe, url: str, store: SqlStore
) -> None:
    page = probe.page
    page.goto(url + "/costs")
    # 38 seeded runs and 36 OpenRouter/oracle runs are measured, 18 Anthropic runs estimated, 1 unpriced.
    assert _kpi(page, "Cost known") == "COST KNOWN 92 of 93 74 measured · 18 estimated"
    assert _kpi(page, "Cost unknown") == "COST UNKNOWN 1 runs of a model without a price"
    assert "over 92 runs with a known cost" in _kpi(page, "Total cost")
    assert "Runs with cost" not in page.locator("main").inner_text()
    table = page.locator("section.card", has_text="Per agent / model")
    assert "18 estimated" in table.locator("tr", has_text="anthropic / claude-sonnet-4-6").inner_text()
    assert "1 unknown" in table.locator("tr", has_text="local-llama-3.1-70b-instruct-q4").inner_text()
    assert "18 measured" in table.locator("tr", has_text="oracle").inner_text()
    # An unknown cost is not charted as $0: it is named under the chart instead.
    chart_labels = page.locator("figure.chart.rows").first.locator(".row-label").all_inner_texts()
    assert "oracle" in chart_labels and not any("local-llama" in label for label in chart_labels)
    assert "local-llama-3.1-70b-instruct-q4" in page.locator("#uncosted").inner_text()
    # The CLI says the same word for the same run.
    oracle_run = next(r for r in store.list_runs(limit=200).items if r.agent == "oracle")
    result = CliRunner().invoke(cli, ["run", oracle_run.run_id, "--db", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    assert "(measured)" in result.output
    page.goto(f"{url}/runs/{oracle_run.run_id}")
    assert "(measured)" in page.locator("#telemetry").inner_text()


# --- suites and scenarios ---------------------------------------------------------------------------


@pytest.mark.browser
def test_suites_page_lists_every_bundled_scenario_and_links_to_its_page(probe: PageProbe, url: str) -> None:
    page = probe.page
    page.goto(url + "/suites")
    examples = page.locator("#suite-examples tbody tr")
    assert examples.count() == 6 + 3  # the six on disk, and three known only from the seeded runs
    assert page.locator("#suite-realworld tbody tr").count() == 12
    for row in page.locator("#suite-realworld tbody tr").all():
        assert row.locator("td").nth(2).inner_text().split() == ["L0", "L1", "L2"]
    assert "not found on disk" in page.locator("#suite-examples tr", has_text="upgrade-deps").inner_text()
    with page.expect_navigation():
        page.locator("#suite-examples a", has_text="bump-dependency-pins").click()
    assert page.url.endswith("/suites/examples/bump-dependency-pins")
    scenario = load_scenario("examples", "bump-dependency-pins")
    assert page.locator("h1").inner_text() == "examples/bump-dependency-pins"
    assert scenario.title in page.locator(".meta").first.inner_text()
    prompts = page.locator("#prompts details.prompt")
    assert prompts.count() == len(scenario.tiers) == 3
    prompts.nth(2).locator("summary").click()
    assert prompts.nth(2).locator("pre").inner_text().strip() == resolve_prompt(scenario, "L2").text.strip()
    evaluators = page.locator("#evaluators tbody tr td:first-child").all_inner_texts()
    assert evaluators == [e.name for e in scenario.evaluators]
    assert page.locator("#by-agent tbody tr").count() == 3
    assert page.locator("#by-batch tbody tr").count() == 1
    assert page.locator("#by-batch a").first.inner_text() == MATRIX
    assert probe.errors == []


def test_a_scenario_without_runs_or_files_is_a_404_and_one_without_runs_says_how_to_run_it(
    http: TestClient,
) -> None:
    missing = http.get("/suites/examples/no-such-scenario")
    assert missing.status_code == 404 and "Scenario not found" in missing.text
    fresh = http.get("/suites/realworld/toolz-interpose-empty")
    assert fresh.status_code == 200
    assert "zebench bench realworld toolz-interpose-empty --agent oracle" in fresh.text


def test_user_suites_from_suites_dir_and_the_environment_are_listed(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    folder = tmp_path / "my-suites"
    for args in (["new", "suite", "mine"], ["new", "scenario", "mine", "first-task"]):
        result = runner.invoke(cli, [*args, "--suites-dir", str(folder)])
        assert result.exit_code == 0, result.output
    listed = TestClient(create_app(store, suites_dir=folder)).get("/suites").text
    assert 'id="suite-mine"' in listed and str(folder / "mine") in listed
    assert 'href="/suites/mine/first-task"' in listed
    page = TestClient(create_app(store, suites_dir=folder)).get("/suites/mine/first-task")
    assert page.status_code == 200 and "Prompt tiers" in page.text
    monkeypatch.setenv("ZEBENCH_SUITES_DIR", str(folder))
    assert 'id="suite-mine"' in TestClient(create_app(store)).get("/suites").text


def test_serve_refuses_a_missing_suites_dir_in_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "zebench", "serve", "--suites-dir", str(tmp_path / "nope")]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("error:") and "Traceback" not in proc.stderr
    assert "suites folder does not exist" in " ".join(proc.stderr.split()) and "nope" in proc.stderr


# --- the run page's workspace ------------------------------------------------------------------


def test_run_page_shows_the_workspace_only_while_it_exists(fresh_store: SqlStore, tmp_path: Path) -> None:
    kept, gone = tmp_path / "ws-kept", tmp_path / "ws-gone"
    kept.mkdir()
    for run_id, folder in (("run_ws_kept", kept), ("run_ws_gone", gone)):
        run = make_run(0, 0, run_id=run_id)
        run.telemetry.workspace_dir = str(folder)
        fresh_store.save_run(run)
    http = TestClient(create_app(fresh_store))
    shown = http.get("/runs/run_ws_kept").text
    assert str(kept) in shown and "kept with --keep-workspace" in shown
    removed = http.get("/runs/run_ws_gone").text
    assert str(gone) not in removed and "removed after the run" in removed
    assert 'id="workspace"' not in http.get("/runs/run_b0_01").text  # no workspace recorded: no line
