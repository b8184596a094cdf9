"""docs/security.md lists every probe of the hostile-agent corpus, so users see what is tested."""

from __future__ import annotations

from pathlib import Path

from probes import PROBES

SECURITY = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_every_probe_is_documented() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    missing = [p.name for p in PROBES if f"| `{p.name}` | {p.group} | {p.attack} |" not in text]
    assert missing == [], f"docs/security.md does not list: {missing}"


def test_probe_names_are_unique_and_cover_every_group() -> None:
    names = [p.name for p in PROBES]
    assert len(names) == len(set(names))
    assert {p.group for p in PROBES} == {"git", "path", "size", "process", "secret"}
