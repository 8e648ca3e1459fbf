"""Wiring for intake: migrations, routes and the topic it publishes on a provider's behalf."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import PROVIDER_COURSES

from services.intake.api import router
from services.intake.handlers import HANDLERS
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="intake",
    title="ZLL intake",
    description="Course exports as institutions already write them (OpenVHS, open-Qcat, "
    "OOAPI), published to the region's catalogue on the provider's behalf.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    routers=[router],
    publishes=[PROVIDER_COURSES],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings)
