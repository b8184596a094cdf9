"""Fetching a documentation source for enrichment: http(s) with a timeout and size cap, or a local file
confined to the template's folder. HTML becomes text through a real parser."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import httpx2
from bs4 import BeautifulSoup
from pydantic import BaseModel

from zebench.errors import ZebenchError

MAX_BYTES = 2 * 1024 * 1024
MAX_CHARS = 10_000  # what the original sent to the model
TRUNCATION_MARKER = "\n\n[... truncated: {omitted} more characters not shown ...]"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BLOCK_TAGS = [
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "li", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "tr", "figure", "figcaption", "hr", "title",
]  # fmt: skip


class FetchError(ZebenchError):
    """A documentation source could not be fetched or read."""


class FetchedDocument(BaseModel):
    source: str
    content_type: str
    text: str
    truncated: bool
    size_bytes: int


def html_to_text(html: str) -> str:
    """Visible text of an HTML page: non-content elements dropped, one line per block, blank lines squeezed.

    Line breaks go after block elements only, so inline markup (``<b>``, ``<a>``) stays inside its sentence.
    """
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "noscript", "template", "svg", "head"]):
        element.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_after("\n")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def truncate(text: str, max_chars: int = MAX_CHARS) -> tuple[str, bool]:
    """``text`` cut to ``max_chars`` with a marker saying how much was left out."""
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars] + TRUNCATION_MARKER.format(omitted=len(text) - max_chars), True


def _to_text(raw: bytes, content_type: str, encoding: str | None = None) -> str:
    decoded = raw.decode(encoding or "utf-8", errors="replace")
    if any(kind in content_type for kind in _HTML_TYPES):
        return html_to_text(decoded)
    if "json" in content_type:
        try:
            return json.dumps(json.loads(decoded), indent=2, ensure_ascii=False)
        except ValueError:
            return decoded
    return decoded


def local_path(source: str, base_dir: Path) -> Path:
    """The file a ``file://`` URL or a relative/absolute path names, refusing anything outside ``base_dir``.

    The check uses real paths, so ``../`` and symlinks cannot lead out of the template's folder.
    """
    if source.startswith("file://"):
        parsed = urlparse(source)
        target = Path(unquote(parsed.netloc + parsed.path))
    else:
        target = Path(source).expanduser()
    if not target.is_absolute():
        target = base_dir / target
    real = Path(os.path.realpath(target))
    root = Path(os.path.realpath(base_dir))
    if real != root and root not in real.parents:
        raise FetchError(
            f"{source!r} is outside the template's folder {root}",
            hint="keep local documentation next to the template",
        )
    return real


def fetch_http(
    url: str, *, timeout: float, max_bytes: int = MAX_BYTES, client: httpx2.Client | None = None
) -> tuple[bytes, str, str | None]:
    """``(body, content_type, charset)``; stops reading (and fails) past ``max_bytes``."""
    own = client is None
    http = client or httpx2.Client(
        timeout=timeout, follow_redirects=True, headers={"user-agent": "zebench-mint"}
    )
    try:
        with http.stream("GET", url, timeout=timeout) as response:
            if response.status_code >= 400:
                raise FetchError(f"GET {url} answered {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url} is larger than {max_bytes} bytes", hint="link a smaller page")
                chunks.append(chunk)
            return (
                b"".join(chunks),
                response.headers.get("content-type", "text/plain"),
                response.charset_encoding,
            )
    except httpx2.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc.__class__.__name__}: {exc}") from exc
    finally:
        if own:
            http.close()


def fetch_document(
    doc: dict[str, Any],
    *,
    base_dir: Path,
    timeout: float = 30.0,
    max_bytes: int = MAX_BYTES,
    max_chars: int = MAX_CHARS,
) -> FetchedDocument:
    """The text of a template ``documentation`` entry (its ``url``, else its ``path``), truncated."""
    source = str(doc.get("url") or doc.get("path") or "")
    if not source:
        raise FetchError("the document has neither url nor path")
    scheme = urlparse(source).scheme.lower()
    if scheme in ("http", "https"):
        raw, content_type, charset = fetch_http(source, timeout=timeout, max_bytes=max_bytes)
    elif scheme in ("", "file") or len(scheme) == 1:  # one letter: a Windows drive
        path = local_path(source, base_dir)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise FetchError(f"{path} is larger than {max_bytes} bytes")
            raw = path.read_bytes()
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
        suffix = path.suffix.lower()
        content_type = (
            "text/html"
            if suffix in (".html", ".htm")
            else "application/json"
            if suffix == ".json"
            else "text/plain"
        )
        charset = None
    else:
        raise FetchError(
            f"unsupported source {source!r}", hint="use http(s)://, file:// or a path next to the template"
        )
    text, truncated = truncate(_to_text(raw, content_type.lower(), charset), max_chars)
    return FetchedDocument(
        source=source, content_type=content_type, text=text, truncated=truncated, size_bytes=len(raw)
    )
