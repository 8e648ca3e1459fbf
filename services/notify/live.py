"""Live inbox: one LISTEN connection per process fans new notifications out to open streams.

An idle stream is a `Subscriber` in a dict: no task of its own besides the response, no
thread, no database connection. When PostgreSQL announces committed inbox rows
(`zll_notify_inbox`, see migration 003), the hub fetches the rows of recipients someone is
watching with one short query and hands them to their subscribers.

A stream's place is a `Position` in commit order (migration 004), not a notification id:
with several notify instances ids can commit out of order, commit positions cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
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


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """Where a stream is: after the row `id` of the commit at `commit` (in commit order).

    Written as the SSE `id:`, opaque to clients (`<commit>-<id>`); the browser sends it back
    as `Last-Event-ID`. Positions of rows only go up in the order rows become visible, so
    "everything up to here" is one position, whatever order the ids were taken in.
    """

    commit: int
    id: int

    @classmethod
    def of(cls, row: dict[str, Any]) -> Position:
        return cls(int(row["position"]), int(row["id"]))

    def __str__(self) -> str:
        return f"{self.commit}-{self.id}"


RESUME_PATTERN = r"^[0-9]{1,18}(-[0-9]{1,18})?$"
"""An SSE id this service wrote, or a plain notification id (a page that loaded the inbox).
At most 18 digits each: always within PostgreSQL's bigint."""
_RESUME = re.compile(RESUME_PATTERN)


def resume_point(text: str) -> Position | int:
    """A `Last-Event-ID`: our own position, or a plain notification id (an int)."""
    if not _RESUME.fullmatch(text):
        raise ValueError(f"not a stream position: {text!r}")
    commit, _, notification_id = text.partition("-")
    return Position(int(commit), int(notification_id)) if notification_id else int(commit)


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
            # Too far behind: drop what waits; the stream re-reads after its position.
            self.resync = True
            self.pending = []
        if not self.resync:
            self.pending.append(row)
        self.wake.set()

    def take(self) -> tuple[list[dict[str, Any]], bool]:
        """Rows to send, and whether to re-read from the database after them."""
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


def sse_message(row: dict[str, Any], language: str = "de") -> str:
    """One notification as an SSE message; its `id` is its stream position."""
    position = Position.of(row)
    said = texts.localized({k: v for k, v in row.items() if k != "position"}, language)
    data = json.dumps(said, default=str, ensure_ascii=False, separators=(",", ":"))
    return f"id: {position}\nevent: notification\ndata: {data}\n\n"


async def starting_point(
    pool: asyncpg.Pool, who: Recipient, resume: Position | int | None
) -> Position:
    """Where a stream starts: after `Last-Event-ID`, or else after everything committed now.

    Read before the response starts, so that whatever commits once the client holds an
    open stream comes after the starting point, and `stream` sends it. A plain notification
    id (a page that loaded the inbox, or a stream from before commit positions) starts
    after that notification's commit.
    """
    if isinstance(resume, Position):
        return resume
    async with pool.acquire() as conn:
        if resume is not None:
            return Position(*await store.position_of(conn, who, resume))
        # Every row committed later has a higher commit position, whatever its id.
        return Position(await store.newest_commit_position(conn), 2**63 - 1)


async def _inbox_after(
    pool: asyncpg.Pool, who: Recipient, after: Position
) -> AsyncGenerator[dict[str, Any], None]:
    """Inbox rows after `after` from the database, in commit order, a page at a time."""
    while True:
        async with pool.acquire() as conn:  # not held while the rows are being sent
            page = await store.inbox_after(conn, who, after.commit, after.id, BACKLOG_PAGE)
        for row in page:
            yield row
        if len(page) < BACKLOG_PAGE:
            return
        after = Position.of(page[-1])


async def stream(
    pool: asyncpg.Pool,
    hub: InboxHub,
    who: Recipient,
    start: Position,
    heartbeat_seconds: float,
    language: str = "de",
) -> AsyncGenerator[str, None]:
    """The body of one stream: every inbox entry after `start`, each once, in commit order.

    Subscribed first, then read from the database: an entry committed before the
    subscription (since `start`) comes from the database, one committed after it comes
    live, one committed in between may come both ways. Live entries arrive in commit order
    (NOTIFY is delivered in commit order, and so are positions taken), and what one read of
    the database sees is a prefix of that order, so one position says what was sent: an
    entry at or before it was, one after it was not. A re-read (the stream fell behind, or
    the hub lost its LISTEN connection) starts after it.
    """
    yield f"retry: 2000\n: {who.kind} {who.id}\n\n"
    sent = start
    with hub.subscribe(who) as subscriber:
        reread = True
        while not subscriber.closed:
            if reread:
                async with contextlib.aclosing(_inbox_after(pool, who, sent)) as backlog:
                    async for row in backlog:
                        if Position.of(row) > sent:
                            sent = Position.of(row)
                            yield sse_message(row, language)
            rows, reread = subscriber.take()
            for row in rows:
                if Position.of(row) > sent:
                    sent = Position.of(row)
                    yield sse_message(row, language)
            if rows or reread:
                continue
            try:
                await asyncio.wait_for(subscriber.wake.wait(), heartbeat_seconds)
            except TimeoutError:
                yield ": keep-alive\n\n"
