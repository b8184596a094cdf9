"""Enrichment against a local HTTP server and the fake LLM, and the fetcher's safety rules."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import json5
import pytest
import typer
from mint_helpers import minimal_template, write_json
from typer.testing import CliRunner

from zebench.llm.fake import FakeLLMServer, FakeReply, FakeRule, FakeScript
from zebench.mint.enrich import enrich_template, parse_enrichment
from zebench.mint.fetch import FetchError, fetch_document, html_to_text, truncate
from zebench.mint.schema import schema_issues
from zebench.mint.specialist import build_specialist

PAGE = """<html><head><title>T</title><style>.x{color:red}</style></head>
<body><script>var SECRET_SCRIPT = 1;</script><h1>Visible   words</h1><p>About <b>React</b> buttons &amp; forms.</p></body></html>"""

REPLY = {
    "summary": "A page about React buttons.",
    "key_concepts": ["buttons", "forms"],
    "use_cases": ["building forms"],
    "relevance_to_specialist": "Shows button patterns",
    "relevant_for_tasks": ["component_generation"],
    "relevant_tech_stack": ["React"],
    "relevant_tags": ["react-ui"],
    "code_patterns": ["<Button />"],
    "extra_key": "dropped",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "page.html").write_text(PAGE)
    (root / "big.txt").write_text("x" * 5000)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    script = FakeScript(
        default=FakeReply(text="```json\n" + json.dumps(REPLY) + "\n```"),
        rules=[FakeRule(match="PLEASE-REPLY-BADLY", reply=FakeReply(text="I cannot do JSON today"))],
    )
    with FakeLLMServer(script) as fake:
        yield fake


def make_template(tmp_path: Path, site: str) -> Path:
    folder = tmp_path / "templates"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "local.md").write_text("# Local guide\nUse buttons.")
    (folder / "docs" / "bad.md").write_text("PLEASE-REPLY-BADLY")
    (tmp_path / "outside.md").write_text("secret")
    docs = [
        {"type": "official", "url": f"{site}/page.html", "description": "React buttons page"},
        {"type": "reference", "path": "docs/local.md", "description": "Local guide"},
        {"type": "reference", "path": "../outside.md", "description": "outside the folder"},
        {"type": "official", "url": f"{site}/missing.html", "description": "404"},
        {
            "type": "examples",
            "path": "docs/local.md",
            "description": "done",
            "enrichment": {"summary": "old"},
        },
        {"type": "examples", "path": "docs/bad.md", "description": "bad reply"},
    ]
    return write_json(folder / "demo-specialist.json5", minimal_template(documentation=docs))


def enrich(path: Path, fake: FakeLLMServer, **kwargs: Any) -> Any:
    return enrich_template(
        path,
        provider="openrouter",
        model="fake-model",
        base_url=fake.openrouter_base_url,
        api_key="sk-fake",
        **kwargs,
    )


def test_enrich_writes_enriched_001_and_the_next_prompt_uses_it(
    tmp_path: Path, site: str, fake_llm: FakeLLMServer
) -> None:
    path = make_template(tmp_path, site)
    before = build_specialist(path, prompt="Create a React button component")
    assert before.docs_used == ["docs/local.md"]  # only the pre-enriched document

    result = enrich(path, fake_llm, concurrency=3, timeout=10)
    assert (result.enriched, result.skipped, result.failed) == (2, 1, 3)
    assert {f.index for f in result.failures} == {2, 3, 5}
    errors = {f.index: f.error for f in result.failures}
    assert "outside the template's folder" in errors[2]
    assert "404" in errors[3]
    assert "not a JSON object" in errors[5]
    expected = tmp_path / "templates" / "demo-specialist" / "enriched" / "1.0.0" / "enriched-001.json5"
    assert result.path == expected

    written = json5.loads(expected.read_text())
    assert schema_issues(written, "template") == []
    enrichment = written["documentation"][0]["enrichment"]
    assert enrichment["summary"] == "A page about React buttons."
    assert enrichment["model_used"] == "fake-model" and enrichment["enriched_at"].endswith("Z")
    assert "extra_key" not in enrichment
    assert written["documentation"][4]["enrichment"] == {"summary": "old"}  # skipped, untouched
    assert "enrichment" not in written["documentation"][2]
    assert "last_enriched_at" in written["version_metadata"]

    sent = [json.dumps(r.body) for r in fake_llm.requests if r.path.endswith("/chat/completions")]
    assert len(sent) == 3  # page, local guide, bad doc; never the refused or missing ones
    page_prompt = next(s for s in sent if "React buttons page" in s)
    assert "Visible words" in page_prompt and "SECRET_SCRIPT" not in page_prompt

    after = build_specialist(path, prompt="Create a React button component")
    assert after.enriched and after.source_path == str(expected)
    assert after.docs_used[0] == f"{site}/page.html"
    assert "A page about React buttons." in after.system_prompt


def test_second_run_skips_enriched_docs_and_force_writes_002(
    tmp_path: Path, site: str, fake_llm: FakeLLMServer
) -> None:
    path = make_template(tmp_path, site)
    enrich(path, fake_llm)
    again = enrich(path, fake_llm)
    assert (again.enriched, again.skipped, again.failed, again.path) == (0, 3, 3, None)
    forced = enrich(path, fake_llm, force=True)
    assert (forced.enriched, forced.skipped) == (3, 0)
    assert forced.path is not None and forced.path.name == "enriched-002.json5"


def test_enrich_command_prints_counts(
    tmp_path: Path, site: str, fake_llm: FakeLLMServer, cli: typer.Typer, runner: CliRunner
) -> None:
    path = make_template(tmp_path, site)
    args = ["mint", "enrich", str(path), "--model", "fake-model", "--base-url", fake_llm.openrouter_base_url]
    result = runner.invoke(cli, args, env={"OPENROUTER_API_KEY": "sk-fake"})
    assert result.exit_code == 1  # some documents failed
    assert "enriched 2 / skipped 1 / failed 3" in result.output


def test_fetcher_rules(tmp_path: Path, site: str) -> None:
    base = tmp_path / "tpl"
    base.mkdir()
    (base / "a.html").write_text(PAGE)
    (tmp_path / "secret.txt").write_text("s")
    (base / "link.txt").symlink_to(tmp_path / "secret.txt")
    local = fetch_document({"path": "a.html"}, base_dir=base)
    assert "Visible words" in local.text and "color:red" not in local.text
    assert fetch_document({"url": (base / "a.html").as_uri()}, base_dir=base).text == local.text
    for source in ("../secret.txt", "link.txt", (tmp_path / "secret.txt").as_uri()):
        with pytest.raises(FetchError, match="outside the template's folder"):
            fetch_document({"path": source}, base_dir=base)
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch_document({"url": f"{site}/big.txt"}, base_dir=base, max_bytes=1000)
    cut = fetch_document({"url": f"{site}/big.txt"}, base_dir=base, max_chars=100)
    assert cut.truncated and cut.text.startswith("x" * 100) and "4900 more characters" in cut.text
    with pytest.raises(FetchError, match="unsupported source"):
        fetch_document({"url": "ftp://example.com/x"}, base_dir=base)


def test_html_to_text_and_truncate() -> None:
    assert html_to_text(PAGE) == "Visible words\nAbout React buttons & forms."
    assert truncate("abc", 5) == ("abc", False)


def test_parse_enrichment_accepts_fenced_bare_and_embedded_json() -> None:
    bare = json.dumps(REPLY)
    for text in (bare, f"```json\n{bare}\n```", f"Here you go: {bare} Thanks!"):
        assert parse_enrichment(text).summary == REPLY["summary"]
    with pytest.raises(ValueError, match="summary"):
        parse_enrichment('{"summary": ""}')
