"""RFC 9457 problem documents for every error a service answers with, in the caller's language."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from asyncpg.exceptions import CharacterNotInRepertoireError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zll.platform.db import CONNECTION_ERRORS
from zll.platform.i18n import Language, Text, negotiate, say
from zll.platform.messages import MESSAGES

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# {field, message}; the message may be a catalogue text, said in the caller's language.
FieldError = Mapping[str, "str | Text"]


class ProblemError(Exception):
    """Raised at the edge (routes, dependencies) to answer with a problem document.

    `title` and `detail` are catalogue texts (`MESSAGES("key", ...)`), said in the language
    the caller asked for; a plain string is said as it is.
    """

    def __init__(
        self,
        status: int,
        title: str | Text,
        detail: str | Text | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        type_: str = "about:blank",
    ) -> None:
        super().__init__(str(detail or title))
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.type = type_


def problem(
    status: int,
    title: str | Text,
    detail: str | Text | None = None,
    *,
    language: Language,
    instance: str | None = None,
    errors: Sequence[FieldError] | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": say(title, language), "status": status}
    if detail:
        body["detail"] = say(detail, language)
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{k: say(v, language) for k, v in e.items()} for e in errors]
    # The same URL answers in another language for another Accept-Language: caches must know.
    language_headers = {"Content-Language": language, "Vary": "Accept-Language"}
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=language_headers | (headers or {}),
    )


def _field_of(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes the location with where it came from: body, query, path, header.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def language_of(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"))


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # The validator's own messages stay English: they name types and limits exactly.
        errors: list[FieldError] = [
            {"field": _field_of(tuple(e["loc"])), "message": e["msg"]} for e in error.errors()
        ]
        fields = ", ".join(str(e["field"]) for e in errors)
        return problem(
            422,
            MESSAGES("invalid-request"),
            MESSAGES("invalid-request.detail", fields=fields),
            language=language_of(request),
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
            language=language_of(request),
            instance=request.url.path,
            errors=error.errors,
            type_=error.type,
            headers=headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # Starlette raises these itself (unknown path, wrong method); everything else is ours.
        title: str | Text = str(error.detail)
        detail: Text | None = None
        if error.status_code == 404:
            title, detail = MESSAGES("not-found"), MESSAGES("not-found.path", path=request.url.path)
        elif error.status_code == 405:
            title = MESSAGES("method-not-allowed")
            detail = MESSAGES("method-not-allowed.detail", method=request.method)
        return problem(
            error.status_code,
            title,
            detail,
            language=language_of(request),
            instance=request.url.path,
            headers=dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        status, title, detail, headers = _answer_to(request, error)
        return problem(
            status,
            title,
            detail,
            language=language_of(request),
            instance=request.url.path,
            headers=headers,
        )


def _answer_to(request: Request, error: Exception) -> tuple[int, Text, Text, dict[str, str] | None]:
    """What an error no route handled means for the caller: status, title, detail, headers."""
    if isinstance(error, CONNECTION_ERRORS):
        # The database is restarting or unreachable: the caller should retry, not give up.
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, error)
        return 503, MESSAGES("unavailable"), MESSAGES("unavailable.database"), {"Retry-After": "2"}
    if isinstance(error, CharacterNotInRepertoireError):
        # PostgreSQL cannot store U+0000 in text: whatever field carried it, the request is
        # what is wrong (found by schemathesis in a query parameter and a JSON body).
        return 422, MESSAGES("invalid-request"), MESSAGES("invalid-request.nul"), None
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return 500, MESSAGES("internal-error"), MESSAGES("internal-error.detail"), None
