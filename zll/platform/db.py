"""PostgreSQL for a service: create its database if missing, open a pool, apply migrations."""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

# What handlers and stores get: a plain connection or one borrowed from a pool.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

# Errors that say the database or network is gone, not that a query is wrong: worth a retry.
# (Not asyncpg.InterfaceError as a whole: it also means "wrong number of arguments", a bug
# that retrying would repeat forever.)
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)

# Any constant works; it only has to be the same for every instance of every service.
_MIGRATION_LOCK = 7_146_001
_PLATFORM_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


async def ensure_database(url: str) -> None:
    """Create the URL's database when it does not exist yet (dev stack, fresh clusters)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Another instance of the service may win the race; that is fine.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def open_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
    assert pool is not None
    return pool


def migration_files(folder: Path) -> list[tuple[str, Path]]:
    """Numbered SQL files `NNN_what.sql`, in order; a badly named file is an error, not a skip."""
    files = []
    for path in sorted(folder.glob("*.sql")):
        if not _MIGRATION_NAME.match(path.name):
            raise ValueError(f"migration {path} is not named NNN_lower_snake.sql")
        files.append((path.stem, path))
    return files


async def migrate(pool: asyncpg.Pool, service_migrations: Path) -> list[str]:
    """Apply the platform's and the service's pending migrations, each in its own transaction.

    An advisory lock serialises concurrent instances starting at once.
    """
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for scope, folder in (
                ("platform", _PLATFORM_MIGRATIONS),
                ("service", service_migrations),
            ):
                for stem, path in migration_files(folder):
                    name = f"{scope}/{stem}"
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(path.read_text())
                        await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    log.info("applied migration %s", name)
                    applied.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied
