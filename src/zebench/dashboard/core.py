"""The dashboard's core: the Jinja environment, page rendering with security headers, read access.

Route modules get a :class:`Dashboard` (store + renderer) and register their pages on a router.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from zebench import __version__
from zebench.dashboard.formatting import FILTERS
from zebench.store.base import ResultStore
from zebench.store.queries import IdKind

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

# No inline script or style anywhere: agent text that slipped through escaping still could not run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PLURAL = {"run": "runs", "batch": "batches"}
NAV = [
    ("/", "Overview"),
    ("/runs", "Runs"),
    ("/batches", "Batches"),
    ("/batches/compare", "Compare"),
    ("/specialists", "Specialists"),
    ("/agents", "Agents"),
    ("/suites", "Suites"),
    ("/evaluators", "Evaluators"),
    ("/costs", "Costs"),
]


def active_nav(path: str) -> str:
    """The nav entry to highlight: the longest nav path that ``path`` is under ("/" only exactly)."""
    matches = [href for href, _ in NAV if path == href or (href != "/" and path.startswith(href + "/"))]
    return max(matches, key=len, default="")


def make_environment() -> Environment:
    """The Jinja environment: autoescaping for every .html/.svg template, strict undefined names."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,  # a typo in a template fails the test, not silently renders ""
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(nav=NAV, version=__version__)
    return env


class Dashboard:
    """What every dashboard route needs: the store and a way to render a page."""

    def __init__(self, store: ResultStore, env: Environment | None = None) -> None:
        self.store = store
        self.env = env or make_environment()

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """Render ``template`` with the security headers set on the response."""
        context.setdefault("live_url", None)  # pages that can update live override these
        context.setdefault("live_fingerprint", None)
        page = self.env.get_template(template).render(
            request_path=request.url.path,
            active_nav=active_nav(request.url.path),
            query=request.query_params,
            **context,
        )
        return HTMLResponse(page, status_code=status_code, headers=SECURITY_HEADERS)

    def not_found(self, request: Request, what: str, ident: str) -> HTMLResponse:
        """The friendly 404 page for an unknown run or batch."""
        return self.render(request, "not_found.html", status_code=404, what=what, ident=ident)

    def elsewhere(self, request: Request, kind: IdKind, ident: str, page: str = "{}") -> Response:
        """The answer for a run or batch id not stored as given: a redirect to the page (``page``
        with the id in its ``{}``, under /runs or /batches) of the one id it starts or ends, query
        kept; a page listing the candidates (300) when it fits several; else the 404 page."""
        query = ident.strip()
        matches = self.store.match_ids(kind, query) if query else None
        if matches is None or not matches.ids:
            return self.not_found(request, kind, ident)
        if matches.exact or (len(matches.ids) == 1 and not matches.more):
            target = f"/{PLURAL[kind]}/" + page.format(quote(matches.ids[0], safe=""))
            if request.url.query:
                target += f"?{request.url.query}"
            return RedirectResponse(target, status_code=307)
        return self.render(
            request, "ambiguous.html", status_code=300, what=kind, ident=ident, candidates=matches.ids,
            more=matches.more,
        )  # fmt: skip


def _presented_secret(request: Request) -> str | None:
    """The key sent as ``Bearer <key>`` or as the password of HTTP Basic auth (browsers prompt for it)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _matches(secret: str, key: Any) -> bool:
    if key is None:
        return False
    expected = key.get_secret_value() if hasattr(key, "get_secret_value") else str(key)
    return hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8"))


def require_dashboard_read(request: Request) -> None:
    """Open unless the server has a read key; then the read or write key, as Bearer or Basic password.

    Mirrors the API's read rule so the dashboard never shows what the API would refuse.
    """
    settings = getattr(request.app.state, "settings", None)
    read_key = getattr(settings, "read_key", None)
    if read_key is None:
        return
    secret = _presented_secret(request)
    # Evaluate both so the timing does not reveal which key matched.
    ok_read = secret is not None and _matches(secret, read_key)
    ok_write = secret is not None and _matches(secret, getattr(settings, "api_key", None))
    if not (ok_read or ok_write):
        raise HTTPException(
            status_code=401,
            detail="The dashboard needs the read key (any user name, the key as password)",
            headers={"WWW-Authenticate": 'Basic realm="zebench", charset="UTF-8"'},
        )
