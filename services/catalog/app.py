"""Wiring for the catalog: migrations, handler map, topics and routes on the service defaults."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import CATALOG_COURSES, PROVIDER_COURSES

from services.catalog.api import router
from services.catalog.handlers import HANDLERS
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="catalog",
    title="ZLL catalog",
    description="One coordinated regional catalogue of modular, certified courses.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    topics=[PROVIDER_COURSES],
    routers=[router],
    publishes=[CATALOG_COURSES],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings)
