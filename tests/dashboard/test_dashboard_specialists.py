"""The specialists pages: snapshots minted by zebench.mint, specialist batches, the arm comparison.

The seeded batches have known scores, so the verdicts are predictable: twelve cells that all gain
0.2 ("improved"), two cells of ±noise ("no evidence"), a batch whose arms share no cell (unpaired),
one-arm batches, and a batch with two specialists, one of them named like an XSS attempt. Numbers on
the pages are checked against ``compare_arms`` itself, not against copies of its formulas.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dashboard_kit import PageProbe, _serve
from dashboard_seed import BATCH_OLD, IMG, SCRIPT, T0, make_run, seed
from fastapi import FastAPI
from fastapi.testclient import TestClient

from zebench.dashboard import mount_dashboard
from zebench.dashboard.core import NAV
from zebench.dashboard.specialist_charts import Delta, diverging_bars, interval_plot
from zebench.dashboard.specialists import POOLED, choose_specialist, resolve_snapshots_dir, scenario_deltas
from zebench.mint.snapshot import mint_snapshot
from zebench.mint.stats import ArmComparison, compare_arms
from zebench.results.models import BatchRecord
from zebench.store import SqlStore, open_store

SPEC = "demo-specialist"
HOSTILE_SPEC = f"evil-{SCRIPT}{IMG}"
CLEAR, NOISY, UNPAIRED = "batch_spec_clear", "batch_spec_noisy", "batch_spec_unpaired"
SPEC_ONLY, MULTI = "batch_spec_only", "batch_spec_multi"
SCENARIOS = ("fix-tests", "add-feature", "upgrade-deps")
MODELS = (("anthropic", "claude-sonnet"), ("openai", "gpt-4o"))
TIERS = ("L1", "L2")
TEMPLATE = {
    "schema_version": "0.0.1",
    "name": SPEC,
    "version": "1.0.0",
    "persona": {"purpose": "Demos", "values": ["clarity"], "attributes": ["careful"], "tech_stack": ["TS"]},
    "capabilities": {"tags": ["demo"], "descriptions": {"demo": "demos"}},
    "preferred_models": [{"model": "claude-sonnet-4.5"}],
    "prompts": {"default": {"spawnerPrompt": "I am {{name}}."}},
}


class Seeder:
    """Adds runs with chosen cells and scores to one batch."""

    def __init__(self, store: SqlStore, batch_id: str, day: int) -> None:
        self.store, self.batch_id, self.day, self.n = store, batch_id, day, 0
        created = T0 + timedelta(days=10 + day)
        store.save_batch(BatchRecord(batch_id=batch_id, created_at=created, completed_at=created))

    def run(self, scenario: str, tier: str, model: int, score: float, specialist: str | None) -> None:
        agent, model_name = MODELS[model]
        self.n += 1
        self.store.save_run(
            make_run(
                0,
                self.n,
                run_id=f"run_{self.batch_id}_{self.n:03d}",
                batch_id=self.batch_id,
                scenario=scenario,
                tier=tier,
                agent=agent,
                model=model_name,
                total_score=score,
                is_successful=score >= 0.7,
                specialist_name=specialist,
                specialist_version="1.0.0" if specialist else None,
                started_at=T0 + timedelta(days=10 + self.day, minutes=self.n),
            )
        )


def seed_specialists(store: SqlStore) -> None:
    """The batches described in the module docstring."""
    clear = Seeder(store, CLEAR, 0)
    k = 0
    for scenario in SCENARIOS:
        for tier in TIERS:
            for model in (0, 1):
                base = 0.4 + 0.02 * k
                clear.run(scenario, tier, model, base, None)
                clear.run(scenario, tier, model, round(base + 0.2 + 0.01 * (k % 3), 3), SPEC)
                k += 1
    noisy = Seeder(store, NOISY, 1)
    noisy.run("fix-tests", "L1", 0, 0.60, None)
    noisy.run("fix-tests", "L1", 0, 0.65, SPEC)
    noisy.run("add-feature", "L1", 0, 0.70, None)
    noisy.run("add-feature", "L1", 0, 0.67, SPEC)
    unpaired = Seeder(store, UNPAIRED, 2)
    for score in (0.5, 0.55, 0.6):
        unpaired.run("fix-tests", "L1", 0, score, None)
    for score in (0.7, 0.75, 0.8):
        unpaired.run("add-feature", "L2", 1, score, SPEC)
    only = Seeder(store, SPEC_ONLY, 3)
    only.run("fix-tests", "L1", 0, 0.9, SPEC)
    multi = Seeder(store, MULTI, 4)
    for i, scenario in enumerate(SCENARIOS):
        multi.run(scenario, "L1", 0, 0.5, None)
        multi.run(scenario, "L1", 0, 0.6 + 0.01 * i, SPEC)
        multi.run(scenario, "L1", 0, 0.3, HOSTILE_SPEC)


def write_hostile_snapshot(root: Path) -> None:
    """A hand-written snapshot whose name and batch id are XSS attempts (list_snapshots trusts files)."""
    folder = root / "evil" / "1.0.0"
    folder.mkdir(parents=True)
    data = {
        "name": HOSTILE_SPEC,
        "version": "1.0.0",
        "snapshot_metadata": {"created_at": "2025-03-01T00:00:00Z", "batch_id": f"b-{IMG}"},
        "benchmarks": {"comparison": {"verdict": SCRIPT, "improvement": 0.1}},
    }
    (folder / "snapshot-001.json5").write_text(json.dumps(data), encoding="utf-8")
    (folder / "snapshot-002.json5").write_text("{ not json5", encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path_factory.mktemp('spec') / 'zebench.db'}")
    seed(opened)
    seed_specialists(opened)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def snapshots(store: SqlStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two snapshots written by mint's real writer (CLEAR then NOISY) and a hostile hand-written one."""
    root = tmp_path_factory.mktemp("snapshots")
    template = root.parent / "demo-specialist.json"
    template.write_text(json.dumps(TEMPLATE), encoding="utf-8")
    out = root / "snaps"
    assert mint_snapshot(template, batch_id=CLEAR, output_dir=out, store=store).snapshot_id == "001"
    assert mint_snapshot(template, batch_id=NOISY, output_dir=out, store=store).snapshot_id == "002"
    write_hostile_snapshot(out)
    return out


@pytest.fixture(scope="module")
def client(store: SqlStore, snapshots: Path) -> TestClient:
    app = FastAPI()
    mount_dashboard(app, store, snapshots_dir=snapshots)
    return TestClient(app)


@pytest.fixture(scope="module")
def served(store: SqlStore, snapshots: Path) -> Iterator[str]:
    """The real results app (create_app), finding the snapshots through $ZEBENCH_SNAPSHOTS_DIR."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZEBENCH_SNAPSHOTS_DIR", str(snapshots))
        server, thread, url = _serve(store)
        yield url
        server.should_exit = True
        thread.join(timeout=10)


def text_of(page: str) -> str:
    """The page's visible-ish text: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + f"{abs(value):.3f}"


def expected(store: SqlStore, batch_id: str, specialist: str | None = None) -> ArmComparison:
    return compare_arms(store.get_batch(batch_id), specialist=specialist)


# --- HTTP -------------------------------------------------------------------------------------


def test_clear_gain_is_improved_and_the_numbers_are_compare_arms(client: TestClient, store: SqlStore) -> None:
    c = expected(store, CLEAR)
    assert c.verdict == "improved" and c.pairing == "paired" and c.n_pairs == 12
    response = client.get(f"/batches/{CLEAR}/specialist")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    banner = text_of(section(page, "verdict"))
    assert "IMPROVED" in banner and "improved the mean score" in banner and c.verdict_reason in banner
    body = text_of(page)
    assert c.baseline_avg_score is not None and c.specialist_avg_score is not None
    assert c.improvement is not None and c.ci_low is not None and c.ci_high is not None
    for shown in (
        f"{c.baseline_avg_score:.3f}",
        f"{c.specialist_avg_score:.3f}",
        f"n = {c.n_baseline} runs",
        f"n = {c.n_specialist} runs",
        signed(c.improvement),
        f"[{signed(c.ci_low)}, {signed(c.ci_high)}]",
        f"{c.p_value:.4f}",
        f"{c.wins} / {c.ties} / {c.losses}",
        "12 paired cell(s)",
    ):
        assert shown in body, shown
    assert 'id="unpaired-note"' not in page
    # The interval plot and the diverging bars are inline SVG.
    assert section(page, "interval").count("<svg") == 1
    assert section(page, "scenarios").count('<figure class="chart rows"') == 1
    for m in c.models_compared:
        assert m.improvement is not None
        row = text_of(section(page, "models"))
        assert f"{m.model} {m.baseline_score:.3f} n={m.n_baseline} {m.specialist_score:.3f}" in row
        assert signed(m.improvement) in row


def test_per_scenario_deltas_add_up_to_the_overall_comparison(client: TestClient, store: SqlStore) -> None:
    detail = store.get_batch(CLEAR)
    c = compare_arms(detail)
    rows = scenario_deltas(detail.runs, SPEC)
    assert rows[0].scenario == "upgrade-deps"  # biggest gain first
    assert sum(r.wins for r in rows) == c.wins and sum(r.losses for r in rows) == c.losses
    assert sum(r.n_baseline for r in rows) == c.n_baseline
    table = text_of(section(client.get(f"/batches/{CLEAR}/specialist").text, "scenarios"))
    for r in rows:
        assert r.delta is not None
        assert (
            f"examples/ {r.scenario} {r.baseline_score:.3f} n=4 {r.specialist_score:.3f} n=4 {signed(r.delta)}"
            in table
        )


def test_a_tiny_noisy_batch_is_no_evidence(client: TestClient, store: SqlStore) -> None:
    c = expected(store, NOISY)
    assert c.verdict == "no evidence" and c.p_value == 1.0
    page = client.get(f"/batches/{NOISY}/specialist").text
    banner = text_of(section(page, "verdict"))
    assert "NO EVIDENCE" in banner and "No evidence of a difference" in banner
    assert "improved" not in banner.lower()
    assert "v-neutral" in page and "v-good" not in page
    assert f"{c.wins} / {c.ties} / {c.losses}" in text_of(page)


def test_unpaired_batches_say_so(client: TestClient, store: SqlStore) -> None:
    c = expected(store, UNPAIRED)
    assert c.pairing == "unpaired"
    page = client.get(f"/batches/{UNPAIRED}/specialist").text
    note = text_of(page[page.index('id="unpaired-note"') :][:800])
    assert "Unpaired comparison" in note and "independent samples" in note
    assert c.ci_low is not None and c.ci_high is not None
    assert f"[{signed(c.ci_low)}, {signed(c.ci_high)}]" in text_of(page)
    assert "one arm only" in page  # each scenario ran in one arm only: no bar, a label


@pytest.mark.parametrize(
    ("batch_id", "phrase"), [(BATCH_OLD, "only baseline runs"), (SPEC_ONLY, "only specialist runs")]
)
def test_one_arm_batches_get_an_explanation(client: TestClient, batch_id: str, phrase: str) -> None:
    response = client.get(f"/batches/{batch_id}/specialist")
    assert response.status_code == 200
    assert phrase in text_of(section(response.text, "one-arm"))
    assert 'id="verdict"' not in response.text


def test_unknown_batch_is_the_friendly_404(client: TestClient) -> None:
    response = client.get("/batches/batch_nope/specialist")
    assert response.status_code == 404 and "Batch not found" in response.text


def test_several_specialists_get_a_selector(client: TestClient, store: SqlStore) -> None:
    page = client.get(f"/batches/{MULTI}/specialist").text
    assert 'id="specialist-select"' in page
    assert html.escape(HOSTILE_SPEC) in page and HOSTILE_SPEC not in page
    # Default: the first specialist alone (sorted: "demo-…" before "evil-…").
    default = expected(store, MULTI, SPEC)
    assert default.verdict_reason in text_of(section(page, "verdict"))
    hostile = client.get(f"/batches/{MULTI}/specialist", params={"specialist": HOSTILE_SPEC}).text
    c = expected(store, MULTI, HOSTILE_SPEC)
    assert c.improvement is not None and signed(c.improvement) in text_of(hostile)
    assert SCRIPT not in hostile and IMG not in hostile
    pooled = client.get(f"/batches/{MULTI}/specialist", params={"specialist": POOLED}).text
    assert expected(store, MULTI).verdict_reason in text_of(pooled)
    unknown = client.get(f"/batches/{MULTI}/specialist", params={"specialist": "nope"}).text
    assert "no runs of specialist 'nope'" in text_of(unknown)


def test_specialists_page_lists_snapshots_and_batches(client: TestClient, store: SqlStore) -> None:
    page = client.get("/specialists").text
    snaps = section(page, "snapshots")
    text = text_of(snaps)
    assert SPEC in text and "IMPROVED" in text and "NO EVIDENCE" in text
    clear = expected(store, CLEAR)
    assert clear.improvement is not None and clear.ci_low is not None and clear.ci_high is not None
    assert (
        f"{signed(clear.improvement)}" in text
        and f"[{signed(clear.ci_low)}, {signed(clear.ci_high)}]" in text
    )
    assert f'href="/batches/{CLEAR}"' in snaps and f'href="/batches/{NOISY}"' in snaps
    assert "UNREADABLE" in text  # the broken file is listed, not hidden
    assert re.search(r'title="sha256 [0-9a-f]{64}"', snaps)
    batches = section(page, "specialist-batches")
    for batch_id in (CLEAR, NOISY, UNPAIRED, SPEC_ONLY, MULTI):
        assert f'href="/batches/{batch_id}/specialist"' in batches
    assert f'href="/batches/{BATCH_OLD}/specialist"' not in batches  # baseline-only batches are not listed
    assert SCRIPT not in page and IMG not in page and html.escape(HOSTILE_SPEC) in page


def test_the_batches_query_is_one_list_runs_call(store: SqlStore, snapshots: Path) -> None:
    calls: list[str] = []

    class Counting:
        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            return getattr(store, name)

    app = FastAPI()
    mount_dashboard(app, Counting(), snapshots_dir=snapshots)  # type: ignore[arg-type]
    assert TestClient(app).get("/specialists").status_code == 200
    assert calls == ["list_runs"]
    calls.clear()
    assert TestClient(app).get(f"/batches/{CLEAR}/specialist").status_code == 200
    assert calls == ["get_batch"]


def test_empty_states_explain_how_to_mint(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZEBENCH_SNAPSHOTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./snapshots here
    app = FastAPI()
    mount_dashboard(app, store)
    page = TestClient(app).get("/specialists").text
    assert "No snapshots folder is configured" in page and "zebench mint snapshot" in page
    (tmp_path / "snapshots").mkdir()
    page = TestClient(app).get("/specialists").text  # picked up without a restart
    assert "No snapshots in this folder yet" in page and "zebench mint snapshot" in page


def test_a_wrongly_typed_snapshot_field_is_a_notice_not_a_500(store: SqlStore, tmp_path: Path) -> None:
    folder = tmp_path / "x" / "1.0.0"
    folder.mkdir(parents=True)
    bad = {"name": "x", "snapshot_metadata": {"batch_id": 123}, "benchmarks": {"comparison": {}}}
    (folder / "snapshot-001.json5").write_text(json.dumps(bad), encoding="utf-8")
    app = FastAPI()
    mount_dashboard(app, store, snapshots_dir=tmp_path)
    response = TestClient(app).get("/specialists")
    assert response.status_code == 200
    # The file is listed as unreadable, naming the mistyped field, instead of hiding the others.
    shown = text_of(section(response.text, "snapshots"))
    assert "UNREADABLE" in shown and "batch_id" in shown


def test_batch_page_links_to_the_comparison_only_with_both_arms(client: TestClient) -> None:
    assert 'id="specialist-link"' in client.get(f"/batches/{CLEAR}").text
    assert 'id="specialist-link"' not in client.get(f"/batches/{BATCH_OLD}").text
    assert 'id="specialist-link"' not in client.get(f"/batches/{SPEC_ONLY}").text


# --- units ------------------------------------------------------------------------------------


def test_snapshots_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ZEBENCH_SNAPSHOTS_DIR", raising=False)
    assert resolve_snapshots_dir(None).source == "none"
    (tmp_path / "snapshots").mkdir()
    assert resolve_snapshots_dir(None).source == "cwd"
    monkeypatch.setenv("ZEBENCH_SNAPSHOTS_DIR", str(tmp_path / "elsewhere"))
    assert resolve_snapshots_dir(None).path == tmp_path / "elsewhere"
    assert resolve_snapshots_dir(tmp_path / "x").source == "configured"


def test_choose_specialist() -> None:
    assert choose_specialist(["a", "b"], None) == ("a", "a", None)
    assert choose_specialist(["a", "b"], "b") == ("b", "b", None)
    assert choose_specialist(["a", "b"], POOLED) == (None, POOLED, None)
    assert choose_specialist(["a"], POOLED)[0] == "a"  # pooling one specialist is just that one
    assert choose_specialist(["a"], "zz")[2] is not None


def test_charts_escape_and_handle_missing_values() -> None:
    svg = str(
        diverging_bars([Delta(SCRIPT, 0.1), Delta("b", -0.2), Delta("c", None)], title=IMG, x_label="x")
    )
    assert SCRIPT not in svg and IMG not in svg and "one arm only" in svg
    assert svg.count("<rect") == 2
    assert "No data yet" in str(interval_plot(None, None, None))
    plot = str(interval_plot(0.1, 0.05, 0.15, tone="good"))
    assert "+0.050" in plot and "+0.150" in plot and "−0.1" in plot and "tone-good" in plot


# --- browser ----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/specialists", "Specialists"),
        (f"/batches/{CLEAR}/specialist", "Baseline vs specialist"),
        (f"/batches/{UNPAIRED}/specialist", "Baseline vs specialist"),
        (f"/batches/{MULTI}/specialist", "Baseline vs specialist"),
        (f"/batches/{BATCH_OLD}/specialist", "Baseline vs specialist"),
    ],
)
def test_pages_load_in_chromium_without_errors(
    probe: PageProbe, served: str, path: str, heading: str
) -> None:
    response = probe.page.goto(served + path)
    assert response is not None and response.status == 200
    assert heading in probe.page.locator("h1").inner_text()
    assert probe.page.locator("header nav a").count() == len(NAV)
    assert probe.errors == [] and probe.dialogs == []


@pytest.mark.browser
def test_selector_switches_specialist_and_hostile_names_stay_text(probe: PageProbe, served: str) -> None:
    page = probe.page
    page.goto(f"{served}/batches/{MULTI}/specialist")
    page.select_option("#specialist-select", HOSTILE_SPEC)
    page.click("#specialist-picker button[type=submit]")
    page.wait_for_load_state()
    assert "specialist=evil-" in page.url
    assert page.locator("#specialist-select").input_value() == HOSTILE_SPEC
    assert f"({HOSTILE_SPEC})" in page.locator("#verdict").inner_text()  # shown as text, never run
    page.goto(f"{served}/specialists")
    assert page.get_by_text(HOSTILE_SPEC).count() >= 1
    assert probe.errors == [] and probe.dialogs == []
