"""Wiring for the catalog: migrations, handler map, topics, routes, and the search indexer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import CATALOG_COURSES, PROVIDER_COURSES

from services.catalog.api import router
from services.catalog.handlers import HANDLERS
from services.catalog.indexer import SearchIndexer, load_reference_data
from zll.platform.service import (
    ServiceDefinition,
    create_service_app,
    extend_lifespan,
    running_task,
)
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
    app = create_service_app(DEFINITION, settings)
    extend_lifespan(app, _indexing)
    return app


@contextlib.asynccontextmanager
async def _indexing(app: FastAPI) -> AsyncIterator[None]:
    await load_reference_data()
    async with running_task(SearchIndexer(app.state.pool).run(), name="search-indexer"):
        yield
