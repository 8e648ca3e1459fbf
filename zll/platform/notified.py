"""Background work woken by PostgreSQL NOTIFY: the outbox relay, the catalog's search indexer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg

from zll.platform.listening import listen

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[int]]
"""Does one batch of work; returns how many items it handled."""


class NotifiedLoop:
    """Runs `step` at once while full batches come back, else on NOTIFY `channel` or after
    `idle_seconds` (a safety net: a notification sent while nobody listened is not lost work).

    The LISTEN connection is `listening.listen`'s: after a PostgreSQL restart it listens
    again, so wake-ups stay instant rather than falling back to polling.

    `observe` (a backlog gauge for /metrics, say) runs after a step at most every
    `observe_seconds`: counting a long backlog reads all of it, and during a load the steps
    come many times a second.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        channel: str,
        step: Step,
        *,
        batch_size: int,
        idle_seconds: float = 1.0,
        observe: Callable[[], Awaitable[None]] | None = None,
        observe_seconds: float = 5.0,
        name: str = "background work",
    ) -> None:
        self._pool = pool
        self._channel = channel
        self._step = step
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._observe = observe
        self._observe_seconds = observe_seconds
        self._observed_at: float | None = None
        self._name = name
        self._wake = asyncio.Event()

    async def run(self) -> None:
        """Work until cancelled."""
        wake = self._wake.set
        async with asyncio.TaskGroup() as group:
            group.create_task(
                listen(
                    self._pool,
                    self._channel,
                    lambda _payload: wake(),
                    on_listening=wake,  # work announced while nobody listened
                    name=self._name,
                )
            )
            group.create_task(self._loop())

    async def _loop(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                done = await self._step()
                await self._observe_now_and_then()
                failures = 0
            except Exception as error:  # any failure: the work stays pending, retried later
                failures += 1
                delay = min(30.0, 0.2 * 2**failures)
                log.warning("%s failed (%s); retrying in %.1fs", self._name, error, delay)
                await asyncio.sleep(delay)
                continue
            if done < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_seconds)

    async def _observe_now_and_then(self) -> None:
        now = time.monotonic()
        if self._observe is None or (
            self._observed_at is not None and now - self._observed_at < self._observe_seconds
        ):
            return
        self._observed_at = now
        await self._observe()
