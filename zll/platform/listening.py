"""One LISTEN connection, held for as long as its owner runs and taken again when it is lost.

The outbox relay, the catalog's search indexer, notify's dispatcher and its live streams
all wake on PostgreSQL NOTIFY. A PostgreSQL restart (or a terminated backend) closes the
listening connection; every one of them then listens again on a fresh connection after
`retry_seconds`, and is told so through `on_listening`, so it can look for work that was
announced while nobody listened (a NOTIFY is not queued for absent listeners).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger(__name__)


def _nothing() -> None:
    return None


async def listen(
    pool: asyncpg.Pool,
    channel: str,
    on_notify: Callable[[str], None],
    *,
    on_listening: Callable[[], None] = _nothing,
    on_lost: Callable[[], None] = _nothing,
    retry_seconds: float = 1.0,
    name: str = "listener",
) -> None:
    """Call `on_notify(payload)` for every NOTIFY on `channel` until cancelled; never raises."""
    while True:
        try:
            async with pool.acquire() as conn:
                lost = asyncio.Event()

                def closed(_conn: object, lost: asyncio.Event = lost) -> None:
                    lost.set()

                def notified(_conn: object, _pid: int, _channel: str, payload: object) -> None:
                    on_notify(str(payload))

                conn.add_termination_listener(closed)
                await conn.add_listener(channel, notified)
                try:
                    on_listening()
                    await lost.wait()
                finally:
                    conn.remove_termination_listener(closed)
                    if not conn.is_closed():
                        await conn.remove_listener(channel, notified)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # whatever broke, listening must go on
            log.warning("%s lost its LISTEN %s (%r); listening again", name, channel, error)
        else:
            log.warning("%s lost its LISTEN %s; listening again", name, channel)
        on_lost()
        await asyncio.sleep(retry_seconds)
