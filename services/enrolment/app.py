"""Wiring for the enrolment service: migrations, handler map, topics and routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import CATALOG_COURSES

from services.enrolment.api import router
from services.enrolment.handlers import HANDLERS
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="enrolment",
    title="ZLL enrolment",
    description="One seat ledger for the region, fair waitlists, verifiable module certificates.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    topics=[CATALOG_COURSES],
    routers=[router],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings)
