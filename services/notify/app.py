"""Wiring for notify: migrations, handler map, topics, routes, and the delivery dispatcher."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from zll_contracts.topics import (
    CATALOG_COURSES,
    DEMAND,
    ENROLMENTS,
    FEEDBACK,
    LEARNERS,
    PLACEMENTS,
    PROJECTS,
)

from services.notify import digest
from services.notify.api import router
from services.notify.api_stream import router as stream_router
from services.notify.config import NotifySettings, notify_settings
from services.notify.dispatch import Dispatcher, Sender
from services.notify.handlers import HANDLERS, IGNORES
from services.notify.live import InboxHub
from services.notify.senders import EmailSender, WebhookSender
from zll.platform.service import (
    ServiceDefinition,
    create_service_app,
    extend_lifespan,
    running_task,
)
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="notify",
    title="ZLL notify",
    description="Every learner and partner hears what concerns them, once.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    ignores=IGNORES,
    topics=[ENROLMENTS, PLACEMENTS, CATALOG_COURSES, DEMAND, FEEDBACK, LEARNERS, PROJECTS],
    routers=[stream_router, router],
)


def create_app(settings: Settings | None = None, notify: NotifySettings | None = None) -> FastAPI:
    app = create_service_app(DEFINITION, settings)
    config = notify or notify_settings()
    extend_lifespan(app, _live, lambda app: _dispatching(app, config))
    return app


@contextlib.asynccontextmanager
async def _live(app: FastAPI) -> AsyncIterator[None]:
    """One LISTEN connection for all live streams of this process."""
    hub = InboxHub(app.state.pool)
    app.state.inbox_hub = hub
    _close_streams_on_exit(hub)
    async with running_task(hub.run(), name="notify-live-hub"):
        yield


def _close_streams_on_exit(hub: InboxHub) -> None:
    """Uvicorn waits for open responses before shutting down: end the streams at SIGTERM."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(sig: int, frame: object, previous: Any = previous) -> None:
            hub.close_all()
            previous(sig, frame)

        with contextlib.suppress(ValueError):  # not the main thread (e.g. a test client)
            signal.signal(signum, handler)


@contextlib.asynccontextmanager
async def _dispatching(app: FastAPI, config: NotifySettings) -> AsyncIterator[None]:
    if not config.dispatcher_enabled:
        yield
        return
    email, webhook = EmailSender(config), WebhookSender(config)
    senders: dict[str, Sender] = {"email": email, "webhook": webhook}
    dispatcher = Dispatcher(app.state.pool, config, senders)
    app.state.dispatcher = dispatcher
    try:
        async with (
            running_task(dispatcher.run(), name="notify-dispatcher"),
            running_task(digest.run(app.state.pool, config), name="notify-digests"),
        ):
            yield
    finally:
        await email.close()
        await webhook.close()
