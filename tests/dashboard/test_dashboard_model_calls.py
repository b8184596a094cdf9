"""The run page's model-call timeline and call table, from the gateway's ``model_calls`` artifact."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard_seed import HOSTILE_RUN, IMG, SCRIPT, make_run
from fastapi.testclient import TestClient
from markupsafe import escape

from zebench.server import create_app
from zebench.store import open_store


def test_the_run_page_shows_the_gateways_calls_escaped(client: TestClient) -> None:
    html = client.get(f"/runs/{HOSTILE_RUN}").text
    section = html[html.index('id="model-calls"') : html.index('id="trajectory"')]
    assert "3 through the gateway" in section
    assert "Model calls over time" in section and section.count('class="chart-bar tone-') == 3
    # One tone per outcome: answered, provider failure (infra), refused by a budget.
    assert re.findall(r"chart-bar tone-(\w+)", section) == ["good", "bad", "ok"]
    assert section.count("<tr") == 4  # the header and three calls
    assert "infra" in section and "budget" in section and "web_search" in section
    assert "1,200" in section and "(pinned)" not in section
    assert SCRIPT not in section and IMG not in section
    assert str(escape(IMG)) in section


def test_a_run_without_a_gateway_has_no_model_call_section(client: TestClient) -> None:
    html = client.get("/runs/run_b0_01").text
    assert 'id="model-calls"' not in html and 'href="#model-calls"' not in html


def test_the_run_page_shows_what_the_prompt_cache_saved(tmp_path: Path) -> None:
    run = make_run(
        0,
        1,
        run_id="run_cached_1",
        metadata={"model_gateway": {"calls": 9, "cost_without_cache_usd": 0.4321}},
    )
    plain = make_run(0, 2, run_id="run_plain_1")
    with open_store(f"sqlite:///{tmp_path / 'z.db'}") as store:
        store.save_runs([run, plain])
        client = TestClient(create_app(store))
        cached_html = client.get("/runs/run_cached_1").text
        plain_html = client.get("/runs/run_plain_1").text
    assert "Without the prompt cache" in cached_html and "$0.4321" in cached_html
    assert "Without the prompt cache" not in plain_html
