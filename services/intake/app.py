"""Wiring for intake: migrations, routes, the feed scheduler and the topic it publishes on a
provider's behalf."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI
from zll_contracts.topics import CATALOG_COURSES, FEEDBACK, PROVIDER_COURSES

from services.intake import feeds
from services.intake.api import LIMITS, router
from services.intake.api_exports import router as exports_router
from services.intake.api_feeds import router as feeds_router
from services.intake.config import IntakeSettings, intake_settings
from services.intake.handlers import HANDLERS
from zll.platform.service import (
    ServiceDefinition,
    create_service_app,
    extend_lifespan,
    running_task,
)
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="intake",
    title="ZLL intake",
    description="Course exports as institutions already write them (OpenVHS, open-Qcat, "
    "OOAPI), uploaded or pulled from a feed, published to the region's catalogue on the "
    "provider's behalf.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    topics=[CATALOG_COURSES],
    routers=[router, feeds_router, exports_router],
    publishes=[PROVIDER_COURSES, FEEDBACK],
)


def create_app(settings: Settings | None = None, intake: IntakeSettings | None = None) -> FastAPI:
    app = create_service_app(DEFINITION, settings)
    config = intake or intake_settings()
    app.state.intake_settings = config
    extend_lifespan(app, lambda app: _pulling(app, config))
    return app


@contextlib.asynccontextmanager
async def _pulling(app: FastAPI, config: IntakeSettings) -> AsyncIterator[None]:
    """One HTTP client for every pull (redirects are followed by hand, each one checked), and
    the scheduler that pulls due feeds."""
    async with httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(30.0, connect=10.0),
        headers={"User-Agent": "ZLL-intake (feed pull)"},
    ) as client:
        app.state.feed_client = client
        if not config.feeds_enabled:
            yield
            return
        work = feeds.schedule(app.state.database, client, config, LIMITS)
        async with running_task(work, name="feed-scheduler"):
            yield
