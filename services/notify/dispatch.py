"""Sends due deliveries (e-mail, webhooks) outside any consumer transaction, and records results.

The queue lives in the `deliveries` table. A claim leases rows by moving `next_attempt_at`
forward, so a sender that dies mid-send gives them back when the lease ends; the resend
carries the same Message-ID / webhook-id, which receivers deduplicate on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from prometheus_client import Counter

from services.notify import domain
from services.notify import store_deliveries as queue
from services.notify.config import NotifySettings
from services.notify.store import WAKE_CHANNEL
from zll.platform.listening import listen

log = logging.getLogger(__name__)

SENT = Counter("zll_notify_sent_total", "Deliveries that reached their receiver", ["channel"])
FAILED = Counter(
    "zll_notify_attempts_failed_total", "Delivery attempts that failed", ["channel", "parked"]
)

Sender = Callable[[queue.Due], Awaitable[None]]
"""Sends one delivery; raises on any failure (the dispatcher schedules the retry)."""


class Dispatcher:
    """Keeps up to `concurrency` deliveries in flight, each scheduled and recorded on its own."""

    def __init__(
        self, pool: asyncpg.Pool, settings: NotifySettings, senders: Mapping[str, Sender]
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.senders = senders
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._outcomes: list[queue.Outcome] = []
        self._backlog = False

    async def run(self) -> None:
        wake = self._wake.set
        listener = asyncio.create_task(
            listen(
                self.pool,
                WAKE_CHANNEL,
                lambda _payload: wake(),
                on_listening=wake,  # deliveries queued while nobody listened
                name="notify dispatcher",
            ),
            name="notify-dispatcher-listener",
        )
        recorder = asyncio.create_task(self._record_loop(), name="notify-recorder")
        try:
            await self._claim_loop()
        finally:
            listener.cancel()
            recorder.cancel()
            for task in self._in_flight:
                task.cancel()
            await self._flush_outcomes()

    async def _claim_loop(self) -> None:
        while True:
            self._wake.clear()
            free = self.settings.concurrency - len(self._in_flight)
            claimed: list[queue.Due] = []
            if free >= self._min_claim or not self._in_flight:
                try:
                    async with self.pool.acquire() as conn:
                        claimed = await queue.claim_due(conn, free, self.settings.lease_seconds)
                except (OSError, asyncpg.PostgresError) as error:
                    log.warning("could not claim deliveries (%s); trying again", error)
            for due in claimed:
                task = asyncio.create_task(self._deliver(due))
                self._in_flight.add(task)
                task.add_done_callback(self._done)
            # Claimed a full window: there is probably more, so claim again once a quarter of
            # the slots is free (one claim per freed slot would cost a query per delivery).
            self._backlog = bool(claimed) and len(claimed) == free
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)

    @property
    def _min_claim(self) -> int:
        return max(1, self.settings.concurrency // 4)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        free = self.settings.concurrency - len(self._in_flight)
        if (self._backlog and free >= self._min_claim) or not self._in_flight:
            self._wake.set()

    async def _deliver(self, due: queue.Due) -> None:
        try:
            await self.senders[due.channel](due)
        except Exception as error:
            self._outcomes.append(self._failure(due, error))
        else:
            SENT.labels(due.channel).inc()
            self._outcomes.append(queue.Outcome(due.id))

    def _failure(self, due: queue.Due, error: BaseException) -> queue.Outcome:
        reason = f"{type(error).__name__}: {error}"[:1000]
        parked = due.attempts >= self.settings.max_attempts
        FAILED.labels(due.channel, str(parked).lower()).inc()
        if parked:
            log.warning("delivery %d parked after %d attempts: %s", due.id, due.attempts, reason)
            return queue.Outcome(due.id, reason, None)
        s = self.settings
        delay = domain.retry_delay(due.attempts, s.retry_base_seconds, s.retry_cap_seconds)
        return queue.Outcome(due.id, reason, delay)

    async def _record_loop(self) -> None:
        """Results are written in small batches: one statement for many deliveries."""
        while True:
            await asyncio.sleep(0.05)
            try:
                await self._flush_outcomes()
            except (OSError, asyncpg.PostgresError) as error:
                # Kept in memory and retried; if we die first, the lease brings them back.
                log.warning("could not record delivery outcomes (%s)", error)

    async def _flush_outcomes(self) -> None:
        if not self._outcomes:
            return
        batch = self._outcomes[:]
        async with self.pool.acquire() as conn:
            await queue.record_outcomes(conn, batch)
        del self._outcomes[: len(batch)]
