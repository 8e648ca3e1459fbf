"""A fresh, migrated database of the session's PostgreSQL for one test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from services.catalog import store as catalog_store
from zll.devstack.stack import DevStack
from zll.platform import db

SERVICES = Path(__file__).parents[2] / "services"


@contextlib.asynccontextmanager
async def fresh_database(
    infra: DevStack, name: str, migrations: Path | None = None, *, max_size: int = 10
) -> AsyncIterator[asyncpg.Pool]:
    """A new database `<name>_<random>` with the platform's tables and the migrations of
    service `name` (or those in `migrations`)."""
    url = infra.database_url(f"{name}_{uuid.uuid4().hex[:8]}")
    await db.ensure_database(url)
    pool = await db.open_pool(url, max_size=max_size)
    try:
        await db.migrate(pool, migrations or SERVICES / name / "migrations")
        yield pool
    finally:
        await pool.close()


@contextlib.asynccontextmanager
async def catalog_with_provider(infra: DevStack, provider_id: str) -> AsyncIterator[asyncpg.Pool]:
    """A fresh catalog database where `provider_id` is registered (a VHS in Kassel), so its
    courses can be stored."""
    async with fresh_database(infra, "catalog") as pool:
        async with pool.acquire() as conn:
            await catalog_store.upsert_provider(
                conn, catalog_store.Provider(provider_id, "VHS", "volkshochschule", "Kassel")
            )
        yield pool
