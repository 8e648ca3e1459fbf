"""No request runs code in a worker thread: every dependency and endpoint is `async def`.

FastAPI runs a plain `def` dependency or endpoint in AnyIO's worker pool, one thread hop per
request; a burst of stream openings filled that pool to 40 threads in notify. Nothing in
these services blocks, so nothing needs a thread.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, routing
from fastapi.dependencies.models import Dependant

from zll.platform.settings import SERVICE_NAMES, Settings

# Known offenders, each with the reason it must stay a plain `def`; none today.
NOT_YET: dict[str, str] = {}


def _app(service: str, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The service's app as `uvicorn --factory` builds it; nothing is started or connected."""
    # Building an app configures logging and tracing for the process; not in the test run.
    monkeypatch.setattr("zll.platform.service.setup_logging", lambda *_a, **_k: None)
    monkeypatch.setattr("zll.platform.service.setup_tracing", lambda *_a, **_k: None)
    create_app = importlib.import_module(f"services.{service}.app").create_app
    app: FastAPI = create_app(Settings(service=service, database_url="postgresql://unused/x"))
    return app


def _dependencies(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependencies(sub)


def _on_the_event_loop(call: Callable[..., Any]) -> bool:
    """Whether FastAPI awaits `call` rather than sending it to a worker thread."""
    function = call if inspect.isroutine(call) else type(call).__call__  # e.g. HTTPBearer()
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def _name(call: Callable[..., Any]) -> str:
    return f"{call.__module__}.{getattr(call, '__qualname__', type(call).__qualname__)}"


def _offenders(app: FastAPI) -> dict[str, set[str]]:
    """Each plain-`def` dependency or endpoint of the app, with the operations that use it."""
    offenders: dict[str, set[str]] = {}
    checked = 0
    for route in routing.iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:  # FastAPI's own /docs, /openapi.json: async Starlette routes
            continue
        checked += 1
        for call in [route.endpoint, *_dependencies(dependant)]:
            if not _on_the_event_loop(call) and _name(call) not in NOT_YET:
                offenders.setdefault(_name(call), set()).add(f"{route.methods} {route.path}")
    assert checked, "found no operations: has FastAPI changed how it lists its routes?"
    return offenders


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_dependency_or_endpoint_runs_in_a_worker_thread(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    offenders = _offenders(_app(service, monkeypatch))
    assert offenders == {}, "plain `def` runs in a worker thread per request: make it async def"


def _negotiated(accept_language: str | None = None) -> str:
    return accept_language or "de"


def test_the_check_sees_plain_def_dependencies_and_endpoints() -> None:
    """The guard itself works, through app-wide dependencies and an included router."""
    router = APIRouter()

    async def nested(language: Annotated[str, Depends(_negotiated)]) -> str:
        return language

    @router.get("/fine")
    async def fine(_: Annotated[str, Depends(nested)]) -> None:
        return None

    @router.get("/blocking")
    def blocking() -> None:
        return None

    app = FastAPI(dependencies=[Depends(_negotiated)])
    app.include_router(router)
    found = _offenders(app)
    assert {name.rsplit(".", 1)[-1]: ops for name, ops in found.items()} == {
        "_negotiated": {"{'GET'} /fine", "{'GET'} /blocking"},
        "blocking": {"{'GET'} /blocking"},
    }
