"""The OpenAPI document every service serves: errors documented as the problems they are.

FastAPI documents a 422 as `application/json` with its own validation schema, and nothing
else that can go wrong. Every service answers errors with RFC 9457 problem documents, so
this rewrites each documented error as `application/problem+json` and adds the errors each
operation can really answer with: 400 for a bad cursor, 401/403 where a token is needed,
404 where a path names something.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from zll.platform.messages import MESSAGES
from zll.platform.problems import PROBLEM_JSON


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `modules.0.eqf_level`.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `title` and `detail` in the language of `Content-Language`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Ungültige Anfrage",
                    "status": 422,
                    "detail": "Bitte prüfen Sie diese Felder: limit",
                    "instance": "/courses",
                    "errors": [
                        {"field": "limit", "message": "Input should be less than or equal to 100"}
                    ],
                }
            ]
        }
    )

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = Field(default=None, description="The path that was asked for.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="One entry per refused field."
    )


_REF = {"$ref": "#/components/schemas/Problem"}
_ADDED = {
    "400": "Invalid cursor (garbled, or issued for other parameters)",
    "401": "No valid bearer token",
    "403": "The token's role or subject may not do this",
    "404": "Not found",
}


# Titles of the examples: what the platform really answers with (in the default language).
_TITLES = {
    "400": "invalid-cursor",
    "401": "authentication-required",
    "403": "forbidden",
    "404": "not-found",
    "422": "invalid-request",
    "503": "unavailable",
}


def _problem_content(status: str, description: str) -> dict[str, Any]:
    title = str(MESSAGES(_TITLES[status])) if status in _TITLES else description
    example = {"type": "about:blank", "title": title, "status": int(status)}
    return {PROBLEM_JSON: {"schema": _REF, "example": example}}


def _is_error(status: str) -> bool:
    return status[:1] in {"4", "5"}


def document_problems(document: dict[str, Any]) -> None:
    """Rewrite (in place) every error response of every operation as a problem document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            wanted = set()
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "cursor" in names:
                wanted.add("400")
            if operation.get("security"):
                wanted |= {"401", "403"}
            if "{" in path:
                wanted.add("404")
            for status in sorted(wanted - responses.keys()):
                responses[status] = {"description": _ADDED[status]}
            if "422" in responses:
                responses["422"]["description"] = "Invalid request (one entry per refused field)"
            for status, response in responses.items():
                if _is_error(status):
                    response["content"] = _problem_content(status, response["description"])
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def install_openapi(app: FastAPI) -> None:
    """Serve the rewritten document at /openapi.json (built once, on first request)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_problems(generate())  # FastAPI caches what it returns in openapi_schema
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it
