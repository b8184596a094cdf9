"""The run page's model-call timeline and call table, from the gateway's ``model_calls`` artifact."""

from __future__ import annotations

import re

from dashboard_seed import HOSTILE_RUN, IMG, SCRIPT
from fastapi.testclient import TestClient
from markupsafe import escape


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
