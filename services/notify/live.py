"""Live inbox: one LISTEN connection per process fans new notifications out to open streams.

An idle stream is a `Subscriber` in a dict: no task of its own besides the response, no
thread, no database connection. When PostgreSQL announces committed inbox rows
(`zll_notify_inbox`, see migration 003), the hub fetches the rows of recipients someone is
watching with one short query and hands them to their subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from prometheus_client import Gauge

from services.notify import store, texts
from services.notify.domain import Recipient

log = logging.getLogger(__name__)

INBOX_CHANNEL = "zll_notify_inbox"
OPEN_STREAMS = Gauge("zll_notify_open_streams", "Server-Sent-Event streams open now")
# A subscriber that falls this far behind is told to re-read from the database instead.
MAX_PENDING = 200
BACKLOG_PAGE = 500


@dataclass(eq=False)
class Subscriber:
    """One open stream: rows waiting to be sent, or a flag to re-read from the database."""

    who: Recipient
    pending: list[dict[str, Any]] = field(default_factory=list)
    resync: bool = False
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, row: dict[str, Any]) -> None:
        if len(self.pending) >= MAX_PENDING:
            self.pending.clear()
            self.resync = True
        elif not self.resync:
            self.pending.append(row)
        self.wake.set()

    def take(self) -> tuple[list[dict[str, Any]], bool]:
        rows, resync = self.pending, self.resync
        self.pending, self.resync = [], False
        self.wake.clear()
        return rows, resync


class InboxHub:
    """Listens once per process; wakes only the streams whose recipient got something."""

    def __init__(self, pool: asyncpg.Pool, *, retry_seconds: float = 1.0) -> None:
        self.pool = pool
        self.retry_seconds = retry_seconds
        self._watchers: dict[Recipient, set[Subscriber]] = {}
        self._wanted: set[int] = set()
        self._fetching: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def subscribe(self, who: Recipient) -> Iterator[Subscriber]:
        subscriber = Subscriber(who)
        self._watchers.setdefault(who, set()).add(subscriber)
        OPEN_STREAMS.inc()
        try:
            yield subscriber
        finally:
            OPEN_STREAMS.dec()
            watchers = self._watchers.get(who, set())
            watchers.discard(subscriber)
            if not watchers:
                self._watchers.pop(who, None)

    async def run(self) -> None:
        """Hold the LISTEN connection; after losing it, every stream re-reads what it missed."""
        while True:
            try:
                async with self.pool.acquire() as listener:
                    lost = asyncio.Event()

                    def on_lost(_conn: object, lost: asyncio.Event = lost) -> None:
                        lost.set()

                    listener.add_termination_listener(on_lost)
                    await listener.add_listener(INBOX_CHANNEL, self._on_notify)
                    self.listening.set()
                    self._resync_all()  # anything committed while nobody listened
                    try:
                        await lost.wait()
                    finally:
                        listener.remove_termination_listener(on_lost)
                        with contextlib.suppress(Exception):
                            await listener.remove_listener(INBOX_CHANNEL, self._on_notify)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("inbox listener lost (%s); listening again", error)
            self.listening.clear()
            await asyncio.sleep(self.retry_seconds)

    def close_all(self) -> None:
        """End every open stream (the server is stopping; clients reconnect elsewhere)."""
        for watchers in self._watchers.values():
            for subscriber in watchers:
                subscriber.closed = True
                subscriber.wake.set()

    def _resync_all(self) -> None:
        for watchers in self._watchers.values():
            for subscriber in watchers:
                subscriber.resync = True
                subscriber.wake.set()

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: object) -> None:
        for notification_id, kind, recipient_id in json.loads(str(payload)):
            if Recipient(kind, recipient_id) in self._watchers:
                self._wanted.add(int(notification_id))
        if self._wanted and self._fetching is None:
            self._fetching = asyncio.create_task(self._fetch(), name="notify-live-fetch")

    async def _fetch(self) -> None:
        """Fetch wanted rows in rounds until none are left (announcements may keep arriving)."""
        try:
            while self._wanted:
                ids, self._wanted = sorted(self._wanted), set()
                async with self.pool.acquire() as conn:
                    rows = await store.notifications_by_id(conn, ids)
                for row in rows:
                    who = Recipient(row.pop("recipient_kind"), row.pop("recipient_id"))
                    for subscriber in self._watchers.get(who, ()):
                        subscriber.offer(row)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("could not fetch live notifications (%s); streams re-read", error)
            self._resync_all()
        finally:
            self._fetching = None


def sse_message(row: dict[str, Any], language: str = "de") -> str:
    """One notification as an SSE message; its id is the notification's monotonic id."""
    said = texts.localized(row, language)
    data = json.dumps(said, default=str, ensure_ascii=False, separators=(",", ":"))
    return f"id: {row['id']}\nevent: notification\ndata: {data}\n\n"


async def stream(
    pool: asyncpg.Pool,
    subscriber: Subscriber,
    last_id: int | None,
    heartbeat_seconds: float,
    language: str = "de",
) -> AsyncIterator[str]:
    """The body of one stream: what was missed since `last_id`, then live rows, in id order.

    Subscribed before reading the backlog, so nothing committed in between is lost; a row
    that arrives both ways is sent once (ids only go up).
    """
    yield f"retry: 2000\n: {subscriber.who.kind} {subscriber.who.id}\n\n"
    resync = last_id is not None
    if last_id is None:  # from now on: remember where "now" is, for a later re-read
        async with pool.acquire() as conn:
            last_id = await store.latest_inbox_id(conn, subscriber.who)
    while not subscriber.closed:
        while resync:  # re-read from the database, a page at a time
            async with pool.acquire() as conn:
                backlog = await store.inbox_since(conn, subscriber.who, last_id, BACKLOG_PAGE)
            for row in backlog:
                yield sse_message(row, language)
                last_id = row["id"]
            resync = len(backlog) == BACKLOG_PAGE
        rows, resync = subscriber.take()
        for row in rows:
            if last_id is None or row["id"] > last_id:
                yield sse_message(row, language)
                last_id = row["id"]
        if rows or resync:
            continue
        try:
            await asyncio.wait_for(subscriber.wake.wait(), heartbeat_seconds)
        except TimeoutError:
            yield ": keep-alive\n\n"
