"""Wiring for matching: migrations, handler map, topics and routes."""

from __future__ import annotations

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
)
from services.matching.handlers import HANDLERS, IGNORES
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

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
    return app
