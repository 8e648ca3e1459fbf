"""Service defaults: every service gets the same lifespan, health, metrics, errors and consumer."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zll.platform import db, metrics
from zll.platform.asyncapi import service_document
from zll.platform.consumer import BatchConsumer, HandlerMap
from zll.platform.database import Database
from zll.platform.http_tracing import ServerSpans
from zll.platform.i18n import request_language
from zll.platform.kafka import new_producer
from zll.platform.logs import setup_logging
from zll.platform.openapi import install_openapi
from zll.platform.outbox import OutboxRelay
from zll.platform.problems import install_problem_handlers
from zll.platform.settings import ServiceName, Settings, load_settings
from zll.platform.telemetry import setup_tracing, shutdown_tracing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes a service itself; everything else is the same for all four."""

    name: ServiceName
    title: str
    description: str
    migrations: Path
    handlers: HandlerMap = field(default_factory=dict)
    # Event types on its topics the service deliberately does not act on; every other type
    # there must have a handler (tests/architecture/test_handler_maps.py).
    ignores: Sequence[type[BaseModel]] = ()
    topics: Sequence[str] = ()
    routers: Sequence[APIRouter] = ()
    publishes: Sequence[str] = ()


@contextlib.asynccontextmanager
async def running_task(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[None]:
    """Runs `work` as a task while the block runs; cancels it and waits for it on the way out."""
    task = asyncio.create_task(work, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def extend_lifespan(
    app: FastAPI, *parts: Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]
) -> None:
    """A service's own background work, started after the platform's (the pool is open then)
    and stopped before it, in reverse order."""
    platform_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(platform_lifespan(app))
            for part in parts:
                await stack.enter_async_context(part(app))
            yield

    app.router.lifespan_context = lifespan


def create_service_app(definition: ServiceDefinition, settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(definition.name)
    if not settings.database_url:
        raise RuntimeError(
            f"no database configured: set ZLL_{definition.name.upper()}_DATABASE_URL "
            "(zll up sets it for the dev stack)"
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _running(app, definition, settings):
            yield

    setup_logging(definition.name, settings.log_level)
    setup_tracing(definition.name)
    # Every operation may answer with a problem document in the caller's language, so every
    # operation declares Accept-Language.
    app = FastAPI(
        title=definition.title,
        description=definition.description,
        lifespan=lifespan,
        dependencies=[Depends(request_language)],
        # FastAPI's own OpenTelemetry (server and operation spans, metrics through the OTel
        # API) would trace every request a second time: ServerSpans below does it once.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    install_problem_handlers(app)
    install_openapi(app)
    _count_requests(app, definition.name)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "Last-Event-ID",
                "Accept-Language",
            ],
            expose_headers=["Location", "Content-Language"],
            max_age=600,
        )
    app.add_middleware(ServerSpans)  # outermost: its span times the whole request
    app.include_router(_operations_router(definition))
    for router in definition.routers:
        app.include_router(router)
    return app


@contextlib.asynccontextmanager
async def _running(
    app: FastAPI, definition: ServiceDefinition, settings: Settings
) -> AsyncIterator[None]:
    """Open what the service owns, in order, and close it in reverse on the way out."""
    async with contextlib.AsyncExitStack() as owned:
        owned.callback(shutdown_tracing)
        await db.ensure_database(settings.database_url)
        pool = await db.open_pool(settings.database_url)
        owned.push_async_callback(pool.close)
        await db.migrate(pool, definition.migrations)
        app.state.pool = pool
        app.state.database = Database(pool, settings.source)
        producer = new_producer(settings.kafka_bootstrap, f"zll-{definition.name}-relay")
        owned.push_async_callback(producer.stop)  # also after a start that failed half-way
        await producer.start()
        relay = OutboxRelay(
            pool, producer, batch_size=settings.outbox_batch_size, service=definition.name
        )
        app.state.relay = relay
        await owned.enter_async_context(running_task(relay.run(), name="outbox-relay"))
        if definition.topics:
            app.state.broker = await _consuming(owned, definition, settings, pool)
        _freeze_startup_heap()
        log.info("%s ready on port %d", definition.name, settings.port)
        yield


async def _consuming(
    owned: contextlib.AsyncExitStack,
    definition: ServiceDefinition,
    settings: Settings,
    pool: asyncpg.Pool,
) -> KafkaBroker:
    """The service's batch consumer on its topics, stopped when `owned` closes."""
    # Per-batch "Received/Processed" lines go to DEBUG; metrics count batches instead.
    broker = KafkaBroker(
        settings.kafka_bootstrap, client_id=f"zll-{definition.name}", log_level=logging.DEBUG
    )
    consumer = BatchConsumer(
        service=definition.name,
        source=settings.source,
        pool=pool,
        handlers=definition.handlers,
        topics=definition.topics,
    )
    consumer.subscribe(
        broker,
        group_id=settings.consumer_group,
        max_records=settings.consumer_batch_size,
        batch_timeout_ms=settings.consumer_batch_timeout_ms,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_heartbeat_interval_ms,
    )
    owned.push_async_callback(broker.stop)
    await broker.start()
    return broker


def _freeze_startup_heap() -> None:
    """Keep what lives as long as the process out of the garbage collector's way.

    The framework, the models and a service's own tables (matching's ESCO vocabulary) are
    100 000+ objects; each full collection walked them all (50–75 ms in matching, the whole
    p99 of a recommendation; ~0.5 s in notify with 2 000 open streams). Frozen, they are
    skipped. A batch of 1 000 events allocates far more than the default 700 objects between
    young collections, and nearly all of it is freed by reference counting anyway: collecting
    every 50 000 allocations took ~8 % off the catalog's CPU per event (`make bench`).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _count_requests(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestMetrics, service=service)


class RequestMetrics:
    """Rate, errors and duration per route template (not per URL: ids would explode labels).

    Plain ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware keeps a
    task group and a memory stream for every open request, ~28 KiB for each live stream.
    A streamed response is timed until its last byte.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # The router writes the matched route into the same scope.
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            metrics.HTTP_SECONDS.labels(self.service, method, route).observe(
                time.perf_counter() - started
            )


def _example(body: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": body}}}}


def _operations_router(definition: ServiceDefinition) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/asyncapi.json",
        summary="AsyncAPI 3.0: the topics this service reads and writes",
        responses=_example({"asyncapi": "3.0.0", "info": {"title": "ZLL catalog"}, "channels": {}}),
    )
    async def asyncapi() -> dict[str, Any]:
        return service_document(definition.name, definition.topics, definition.publishes)

    @router.get(
        "/healthz", summary="Liveness: the process answers", responses=_example({"status": "ok"})
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: database reachable and consumer running (503 when not)",
        responses=_example({"status": "ready", "checks": {"database": True, "broker": True}}),
    )
    async def readyz(request: Request) -> JSONResponse:
        checks = {"database": await _database_ok(request), "broker": _broker_ok(request)}
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _database_ok(request: Request) -> bool:
    pool: asyncpg.Pool | None = getattr(request.app.state, "pool", None)
    if pool is None:
        return False
    try:
        async with pool.acquire(timeout=2) as conn:
            return bool(await conn.fetchval("SELECT true"))
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False


def _broker_ok(request: Request) -> bool:
    broker: KafkaBroker | None = getattr(request.app.state, "broker", None)
    # A service without subscriptions has nothing to wait for.
    return broker is None or bool(getattr(broker, "running", True))
