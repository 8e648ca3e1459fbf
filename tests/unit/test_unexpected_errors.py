"""What a caller hears when a route fails in a way no route handled: a problem document."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from asyncpg.exceptions import CharacterNotInRepertoireError
from fastapi import FastAPI

from zll.platform.problems import install_problem_handlers


def _answer_when_failing_with(error: Exception) -> httpx.Response:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/courses")
    async def fail() -> None:
        raise error

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://zll") as client:
            return await client.get("/courses", headers={"Accept-Language": "en"})

    return asyncio.run(get())


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (asyncpg.CannotConnectNowError("starting up"), 503, "The database is not reachable"),
        (CharacterNotInRepertoireError("invalid byte sequence: 0x00"), 422, "U+0000"),
        (RuntimeError("a bug"), 500, "The error was logged."),
    ],
    ids=["database away", "NUL in text", "a bug"],
)
def test_an_unhandled_error_is_a_problem_with_the_status_it_means(error, status, detail):
    response = _answer_when_failing_with(error)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]
    assert response.json()["instance"] == "/courses"
    assert ("Retry-After" in response.headers) == (status == 503)
