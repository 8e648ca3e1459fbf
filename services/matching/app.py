"""Wiring for matching: migrations, handler map, topics and routes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import (
    CATALOG_COURSES,
    DEMAND,
    ENROLMENTS,
    LEARNERS,
    PLACEMENTS,
    PROVIDER_OPPORTUNITIES,
)

from services.matching import (
    api,
    api_counselling,
    api_demand,
    api_erasure,
    api_rounds,
    api_skills,
    store_counselling,
)
from services.matching.handlers import HANDLERS, IGNORES
from zll.platform import geography
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.service import (
    ServiceDefinition,
    create_service_app,
    extend_lifespan,
    running_task,
)
from zll.platform.settings import Settings

log = logging.getLogger(__name__)

DEFINITION = ServiceDefinition(
    name="matching",
    title="ZLL matching",
    description="Counselling from one hand, fair allocation rounds, placements, regional demand.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    ignores=IGNORES,
    topics=[CATALOG_COURSES, ENROLMENTS, PROVIDER_OPPORTUNITIES, LEARNERS],
    routers=[
        api.router,
        api_rounds.router,
        api_counselling.router,
        api_demand.router,
        api_erasure.router,
        api_skills.router,
    ],
    publishes=[PLACEMENTS, DEMAND, LEARNERS],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(DEFINITION, settings)
    # Load the ESCO vocabulary now rather than in the first request that needs it (~0.25 s);
    # the platform then freezes it with the rest of the start-up heap (see service.py).
    vocabulary()
    # Germany's towns and postcodes too (~3 s), for the distance of any course or learner.
    geography.national()
    extend_lifespan(app, _placing)
    return app


@contextlib.asynccontextmanager
async def _placing(app: FastAPI) -> AsyncIterator[None]:
    """Courses learned before migration 009 are placed in the background, a batch at a time."""

    async def place() -> None:
        try:
            while True:
                async with app.state.pool.acquire() as conn, conn.transaction():
                    if not await store_counselling.place_unplaced(conn):
                        return
        except Exception:  # the query lets unplaced courses through: slower, never wrong
            log.exception("placing courses learned before migration 009 failed")

    async with running_task(place(), name="place-courses"):
        yield
