"""RFC 9457 problem documents for every error a service answers with."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zll.platform.db import CONNECTION_ERRORS

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raised at the edge (routes, dependencies) to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        type_: str = "about:blank",
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.type = type_


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes the location with where it came from: body, query, path, header.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_of(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem(
            422,
            "Invalid request",
            f"Check these fields: {fields}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(ProblemError)
    async def known_problem(request: Request, error: ProblemError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return problem(
            error.status,
            error.title,
            error.detail,
            instance=request.url.path,
            errors=error.errors,
            type_=error.type,
            headers=headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, CONNECTION_ERRORS):
            # The database is restarting or unreachable: the caller should retry, not give up.
            log.warning(
                "database unavailable on %s %s: %r", request.method, request.url.path, error
            )
            return problem(
                503,
                "Service unavailable",
                "The database is not reachable right now; retry shortly.",
                instance=request.url.path,
                headers={"Retry-After": "2"},
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "The error was logged.", instance=request.url.path)
