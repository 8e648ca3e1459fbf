"""What a route gets to reach its database: connections to read, units of work to change."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from zll.platform.db import Connection
from zll.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Database:
    """The service's pool, and the `ce_source` its events carry."""

    pool: asyncpg.Pool
    source: str

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection for reads; nothing it does is published."""
        async with self.pool.acquire() as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A transaction whose staged events are written and committed with it when the
        block ends, before the route answers (never after the response is sent)."""
        async with self.pool.acquire() as conn, UnitOfWork.begin(conn, self.source) as uow:
            yield uow


async def database(request: Request) -> Database:
    found: Database = request.app.state.database
    return found


Db = Annotated[Database, Depends(database)]
"""A route's parameter `db: Db` is the service's database."""
