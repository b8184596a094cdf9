"""Helpers shared by the dashboard tests: serving the real app, and a recording browser page.

They live outside conftest.py because several test folders have a conftest, and a plain
``from conftest import …`` would pick whichever one pytest imported first.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from zebench.server import create_app
from zebench.store import SqlStore


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(store: SqlStore) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


class PageProbe:
    """A Playwright page that records console errors, page errors and dialogs (alert = XSS fired)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


# Measures the rendered page, in the browser: what a reader would see as cut, overlapping, too small
# or overflowing. Returns one line per problem.
LAYOUT_CHECK = r"""
() => {
  const problems = [];
  const tol = 1;
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + tol) {
    problems.push(`the page scrolls sideways: ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  }
  document.querySelectorAll('.card, .kpi').forEach((card) => {
    if (card.scrollWidth > card.clientWidth + tol) {
      const head = card.querySelector('h2, .kpi-label');
      problems.push(`content overflows the card "${head ? head.textContent.trim() : card.className}"`);
    }
  });
  const inside = (r, box) => r.left >= box.left - tol && r.right <= box.right + tol && r.top >= box.top - tol && r.bottom <= box.bottom + tol;
  const overlap = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right - tol && b.left < a.right - tol && a.top < b.bottom - tol && b.top < a.bottom - tol;
  const charts = document.querySelectorAll('svg.chart, figure.chart.rows');
  charts.forEach((chart, index) => {
    const name = chart.getAttribute('aria-label') || `chart ${index + 1}`;
    const box = chart.getBoundingClientRect();
    const card = chart.closest('.card');
    if (card && !inside(box, card.getBoundingClientRect())) problems.push(`${name}: wider than its card`);
    const texts = [];
    if (chart.tagName.toLowerCase() === 'svg') {
      const scale = box.width / chart.viewBox.baseVal.width;
      chart.querySelectorAll('text').forEach((t) => {
        const r = t.getBoundingClientRect();
        const label = t.textContent;
        if (!inside(r, box)) problems.push(`${name}: "${label}" is cut by the chart's edge`);
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (px < 8) problems.push(`${name}: "${label}" is drawn ${px.toFixed(1)} px high`);
        if (label.includes('…')) problems.push(`${name}: "${label}" is cut short`);
        texts.push([label, r]);
      });
    } else {
      chart.querySelectorAll('.row-label, .row-value, .row-axis > span').forEach((e) => {
        const r = e.getBoundingClientRect();
        const label = e.textContent;
        if (e.scrollWidth > e.clientWidth + tol) problems.push(`${name}: "${label}" overflows its cell`);
        if (!inside(r, box)) problems.push(`${name}: "${label}" sticks out of the chart`);
        if (parseFloat(getComputedStyle(e).fontSize) < 9) problems.push(`${name}: "${label}" is too small`);
        if (label.includes('…')) problems.push(`${name}: "${label}" is cut short`);
        texts.push([label, r]);
      });
      const labels = [...chart.querySelectorAll('.row-label')].map((e) => e.textContent);
      if (new Set(labels).size !== labels.length) problems.push(`${name}: two rows read the same`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (overlap(texts[i][1], texts[j][1])) problems.push(`${name}: "${texts[i][0]}" overlaps "${texts[j][0]}"`);
      }
    }
  });
  document.querySelectorAll('ol.chart-legend li').forEach((li) => {
    if (li.scrollWidth > li.clientWidth + tol) problems.push(`legend entry "${li.textContent}" overflows`);
  });
  return problems;
}
"""


def layout_problems(page: Any) -> list[str]:
    """What ``LAYOUT_CHECK`` finds on the page as rendered now."""
    problems: list[str] = page.evaluate(LAYOUT_CHECK)
    return problems


def chart_count(page: Any) -> int:
    """How many charts (SVG charts and row charts) the page shows."""
    count: int = page.locator("svg.chart, figure.chart.rows").count()
    return count
