"""Wiring for notify: migrations, handler map, topics and routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import CATALOG_COURSES, DEMAND, ENROLMENTS, FEEDBACK, PLACEMENTS

from services.notify.handlers import HANDLERS
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="notify",
    title="ZLL notify",
    description="Every learner and partner hears what concerns them, once.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    topics=[ENROLMENTS, PLACEMENTS, CATALOG_COURSES, DEMAND, FEEDBACK],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings)
