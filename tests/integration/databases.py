"""A fresh, migrated database of the session's PostgreSQL for one test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

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
