"""One JSON error shape for every failure: ``{"error": str, "details"?: ...}``.

The original API leaked 500s on duplicate ids and bad input; here client mistakes map to 4xx, store
problems to 503, and anything unexpected to a 500 that carries no internals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from zebench.errors import NotFoundError, StoreError, ZebenchError

log = logging.getLogger(__name__)

_STATUS_TEXT = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
}


class ErrorBody(BaseModel):
    """The body of every error response (documented in OpenAPI)."""

    error: str
    details: Any | None = None


class ApiError(Exception):
    """Raised by routes to answer with an error status and body."""

    def __init__(self, status: int, error: str, details: Any | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.details = details


def error_response(status: int, error: str, details: Any | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    # Drop the "body"/"query"/"path" prefix so the field reads like the JSON the client sent.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic's errors as ``{field, message, type}`` with the field as the client's JSON path."""
    return [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
    ]


def validation_message(details: Sequence[dict[str, str]]) -> str:
    """The one-line ``error`` of a 422: the first bad field and what is wrong with it."""
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return f"Invalid request: {first['field']}: {first['message']}"


async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    details = validation_details(exc.errors())
    if any(d["type"] == "json_invalid" for d in details):
        return error_response(400, "Malformed JSON body", details)
    return error_response(422, validation_message(details), details)


async def _on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    text = exc.detail if isinstance(exc.detail, str) and exc.detail else _STATUS_TEXT.get(exc.status_code)
    response = error_response(exc.status_code, text or "Error")
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _on_api(_: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.error, exc.details)


async def _on_not_found(_: Request, exc: NotFoundError) -> JSONResponse:
    return error_response(404, exc.message)


async def _on_store(_: Request, exc: StoreError) -> JSONResponse:
    log.warning("store error: %s", exc.one_line())
    return error_response(503, "Results store unavailable", exc.one_line())


async def _on_zebench(_: Request, exc: ZebenchError) -> JSONResponse:
    return error_response(400, exc.one_line())


async def _on_unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into an :class:`ErrorBody`."""
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _on_api)  # type: ignore[arg-type]
    app.add_exception_handler(NotFoundError, _on_not_found)  # type: ignore[arg-type]
    app.add_exception_handler(StoreError, _on_store)  # type: ignore[arg-type]
    app.add_exception_handler(ZebenchError, _on_zebench)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)


# Declared on every route so the OpenAPI document (and schemathesis) knows these outcomes exist.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed JSON or an unusable cursor"},
    401: {"model": ErrorBody, "description": "Missing or non-Bearer Authorization header"},
    403: {"model": ErrorBody, "description": "Wrong API key"},
    413: {"model": ErrorBody, "description": "Request body larger than the server's limit"},
    422: {"model": ErrorBody, "description": "Validation failed; `error` names the first bad field"},
    503: {"model": ErrorBody, "description": "The results store is unavailable"},
}
