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
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from prometheus_client import Gauge

from services.notify import store, texts
from services.notify.domain import Recipient
from zll.platform.listening import listen

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
    # The lowest id dropped since the last take: a re-read must start below it, even if the
    # stream has already sent newer rows (with several notify instances ids may commit out
    # of order).
    dropped: int | None = None
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, row: dict[str, Any]) -> None:
        if not self.resync and len(self.pending) >= MAX_PENDING:
            self.resync = True
            self._drop(self.pending)
            self.pending = []
        if self.resync:
            self._drop([row])
        else:
            self.pending.append(row)
        self.wake.set()

    def take(self) -> tuple[list[dict[str, Any]], bool, int | None]:
        """Rows to send; whether to re-read from the database, and the lowest id dropped."""
        rows, resync, dropped = self.pending, self.resync, self.dropped
        self.pending, self.resync, self.dropped = [], False, None
        self.wake.clear()
        return rows, resync, dropped

    def _drop(self, rows: list[dict[str, Any]]) -> None:
        lowest = min(row["id"] for row in rows)
        self.dropped = lowest if self.dropped is None else min(self.dropped, lowest)


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
        await listen(
            self.pool,
            INBOX_CHANNEL,
            self._on_notify,
            on_listening=self._listening,
            on_lost=self.listening.clear,
            retry_seconds=self.retry_seconds,
            name="notify live inbox",
        )

    def _listening(self) -> None:
        self.listening.set()
        self._resync_all()  # anything committed while nobody listened

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

    def _on_notify(self, payload: str) -> None:
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


def sse_message(row: dict[str, Any], language: str = "de", resume_at: int | None = None) -> str:
    """One notification as an SSE message; its `id` is where a reconnect resumes.

    That is the notification's id, unless the stream already sent a newer one (`resume_at`):
    a reconnect from the lower id would repeat the newer notifications.
    """
    said = texts.localized(row, language)
    data = json.dumps(said, default=str, ensure_ascii=False, separators=(",", ":"))
    sse_id = row["id"] if resume_at is None else max(row["id"], resume_at)
    return f"id: {sse_id}\nevent: notification\ndata: {data}\n\n"


async def starting_point(pool: asyncpg.Pool, who: Recipient, last_id: int | None) -> int:
    """Where a stream starts: after `Last-Event-ID`, or else after the newest inbox entry.

    Read before the response starts, so that whatever commits once the client holds an
    open stream is newer than the starting point, and `stream` sends it.
    """
    if last_id is not None:
        return last_id
    async with pool.acquire() as conn:
        return await store.latest_inbox_id(conn, who)


class _Sent:
    """The ids a stream has sent after its starting point, so each is sent once.

    Live rows usually come in id order, but a row can come twice (live and in a re-read),
    and with several notify instances an older id can commit after a newer one was sent:
    a set, not a high-water mark. Only the newest `KEEP` ids are kept; anything at or below
    `floor` counts as sent.
    """

    KEEP = 1000

    def __init__(self, floor: int) -> None:
        self.floor = floor
        self.newest = floor
        self._ids: set[int] = set()

    def __contains__(self, notification_id: int) -> bool:
        return notification_id <= self.floor or notification_id in self._ids

    def add(self, notification_id: int) -> None:
        self._ids.add(notification_id)
        self.newest = max(self.newest, notification_id)
        if len(self._ids) > 2 * self.KEEP:
            kept = sorted(self._ids)[-self.KEEP :]
            self.floor = kept[0] - 1
            self._ids = set(kept)


async def _inbox_after(
    pool: asyncpg.Pool, who: Recipient, after: int
) -> AsyncGenerator[dict[str, Any], None]:
    """Inbox rows after `after` from the database, in id order, a page at a time."""
    while True:
        async with pool.acquire() as conn:  # not held while the rows are being sent
            page = await store.inbox_since(conn, who, after, BACKLOG_PAGE)
        for row in page:
            yield row
        if len(page) < BACKLOG_PAGE:
            return
        after = page[-1]["id"]


async def stream(
    pool: asyncpg.Pool,
    hub: InboxHub,
    who: Recipient,
    start: int,
    heartbeat_seconds: float,
    language: str = "de",
) -> AsyncGenerator[str, None]:
    """The body of one stream: every inbox entry after `start`, each once, as it commits.

    Subscribed first, then read from the database: an entry committed before the
    subscription (since `start`) comes from the database, one committed after it comes
    live, one committed in between may come both ways and is sent once. Live entries are
    sent in the order they commit; a re-read (the stream fell behind, or the hub lost its
    LISTEN connection) starts below anything dropped.
    """
    yield f"retry: 2000\n: {who.kind} {who.id}\n\n"
    sent = _Sent(start)
    with hub.subscribe(who) as subscriber:
        reread_after: int | None = start
        while not subscriber.closed:
            if reread_after is not None:
                async with contextlib.aclosing(_inbox_after(pool, who, reread_after)) as backlog:
                    async for row in backlog:
                        if row["id"] not in sent:
                            sent.add(row["id"])
                            yield sse_message(row, language, resume_at=sent.newest)
            rows, resync, dropped = subscriber.take()
            for row in rows:
                if row["id"] not in sent:
                    sent.add(row["id"])
                    yield sse_message(row, language, resume_at=sent.newest)
            reread_after = None
            if resync:
                below = sent.newest if dropped is None else min(sent.newest, dropped - 1)
                reread_after = max(sent.floor, below)
            if rows or resync:
                continue
            try:
                await asyncio.wait_for(subscriber.wake.wait(), heartbeat_seconds)
            except TimeoutError:
                yield ": keep-alive\n\n"
