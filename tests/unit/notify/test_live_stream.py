"""The live stream's order of reading, with a fake inbox: nothing committed is lost or sent twice.

The hub and the stream are notify's own; only the database is faked, with hooks that commit
a notification at the exact moment a race needs (right after the stream opened, while it
reads the backlog, just after it did).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from services.notify import live, store
from services.notify.domain import Recipient
from services.notify.live import InboxHub

LENA = Recipient("learner", "lena")
TOM = Recipient("learner", "tom")
HEARTBEAT = 0.01


class FakeInbox:
    """The `notifications` table as the stream and the hub read it, plus the LISTEN channel."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.last_id = 0
        self.commits = 0  # inbox_commits: each commit's place in commit order
        self.hub: InboxHub | None = None
        self.before_backlog_read: list[Callable[[], None]] = []
        self.after_backlog_read: list[Callable[[], None]] = []

    def reserve(self) -> int:
        """An id taken by a transaction that has not committed yet (bigserial)."""
        self.last_id += 1
        return self.last_id

    def commit(
        self, who: Recipient = LENA, *, id: int | None = None, announce: str = "at-once"
    ) -> int:
        """Commit one inbox row; the hub hears of it `at-once`, a moment `late`r or `never`."""
        notification_id = id if id is not None else self.reserve()
        self.commits += 1
        self.rows.append(
            {
                "id": notification_id,
                "position": self.commits,
                "kind": "enrolment.confirmed",
                "category": "enrolment",
                "locale": "de",
                "subject": f"Nachricht {notification_id}",
                "text": "",
                "data": {},
                "created_at": datetime(2026, 11, 23, tzinfo=UTC),
                "read_at": None,
                "recipient_kind": who.kind,
                "recipient_id": who.id,
            }
        )
        payload = json.dumps([[notification_id, who.kind, who.id]])
        assert self.hub is not None
        on_notify = self.hub._on_notify  # what the listener calls for a NOTIFY's payload
        if announce == "at-once":
            on_notify(payload)
        elif announce == "late":
            asyncio.get_running_loop().call_later(0.01, on_notify, payload)
        return notification_id

    def _of(self, who: Recipient) -> list[dict[str, Any]]:
        mine = [
            r for r in self.rows if (r["recipient_kind"], r["recipient_id"]) == (who.kind, who.id)
        ]
        return sorted(mine, key=lambda r: (r["position"], r["id"]))

    @staticmethod
    def _out(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("recipient_")}

    async def newest_commit_position(self, _conn: object) -> int:
        return self.commits

    async def position_of(
        self, _conn: object, who: Recipient, notification_id: int
    ) -> tuple[int, int]:
        found = [r for r in self._of(who) if r["id"] == notification_id]
        return (found[0]["position"], notification_id) if found else (0, 0)

    async def inbox_after(
        self, _conn: object, who: Recipient, position: int, after_id: int, limit: int = 500
    ) -> list[dict[str, Any]]:
        while self.before_backlog_read:
            self.before_backlog_read.pop(0)()
        after = (position, after_id)
        found = [self._out(r) for r in self._of(who) if (r["position"], r["id"]) > after]
        while self.after_backlog_read:
            self.after_backlog_read.pop(0)()
        return found[:limit]

    async def notifications_by_id(self, _conn: object, ids: Sequence[int]) -> list[dict[str, Any]]:
        rows = sorted(self.rows, key=lambda r: (r["position"], r["id"]))
        return [dict(r) for r in rows if r["id"] in ids]


class FakePool:
    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[object]:
        await asyncio.sleep(0)  # a real pool gives others a turn here
        yield object()


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> FakeInbox:
    fake = FakeInbox()
    names = ("newest_commit_position", "position_of", "inbox_after", "notifications_by_id")
    for name in names:
        monkeypatch.setattr(store, name, getattr(fake, name))
    return fake


@pytest.fixture
def pool() -> Any:
    return FakePool()


@pytest.fixture
def hub(pool: Any, inbox: FakeInbox) -> InboxHub:
    inbox.hub = InboxHub(pool)
    return inbox.hub


class Client:
    """Reads an open stream as a browser would: the SSE ids and the notification ids."""

    def __init__(self, body: AsyncGenerator[str, None]) -> None:
        self.body = body
        self.sse_ids: list[str] = []
        self.notifications: list[int] = []

    async def first_line(self) -> str:
        return await anext(self.body)

    async def read(self, quiet_beats: int = 5) -> list[int]:
        """Everything that comes until the stream has been idle for `quiet_beats` heartbeats."""
        idle = 0
        while idle < quiet_beats:
            chunk = await anext(self.body)
            if chunk.startswith(": keep-alive"):
                idle += 1
                continue
            idle = 0
            fields = dict(line.split(": ", 1) for line in chunk.strip().split("\n"))
            if "data" in fields:
                self.sse_ids.append(fields["id"])
                self.notifications.append(json.loads(fields["data"])["id"])
        return self.notifications

    async def close(self) -> None:
        await self.body.aclose()


async def open_stream(pool: Any, hub: InboxHub, last_id: int | str | None = None) -> Client:
    """What the endpoint does: the starting point before the response starts, then the body.
    `last_id`: a notification id (a page that loaded the inbox) or an SSE id sent before."""
    resume = live.resume_point(str(last_id)) if last_id is not None else None
    start = await live.starting_point(pool, LENA, resume)
    return Client(live.stream(pool, hub, LENA, start, HEARTBEAT))


MOMENTS = [
    "after-the-response-started",
    "after-the-first-line",
    "before-the-backlog-read",
    "after-the-backlog-read",
    "while-idle",
]


@pytest.mark.parametrize("announce", ["at-once", "late"])
@pytest.mark.parametrize("moment", MOMENTS)
async def test_a_notification_committed_once_the_stream_is_open_arrives_once(
    pool: Any, hub: InboxHub, inbox: FakeInbox, moment: str, announce: str
) -> None:
    """The race found by the live-stream bench: a stream opened without Last-Event-ID used to
    look up its starting point after subscribing, so a notification committed in between was
    counted by the lookup and its live copy dropped as 'not newer'."""
    inbox.commit()  # before the stream: the page has it already
    inbox.commit(TOM)
    committed: list[int] = []

    def commit() -> None:
        committed.append(inbox.commit(announce=announce))

    client = await open_stream(pool, hub)
    if moment == "after-the-response-started":
        commit()
    elif moment == "before-the-backlog-read":
        inbox.before_backlog_read.append(commit)
    elif moment == "after-the-backlog-read":
        inbox.after_backlog_read.append(commit)
    await client.first_line()
    if moment == "after-the-first-line":
        commit()
    await client.read()
    if moment == "while-idle":
        commit()
    assert await client.read() == committed
    commit()
    assert await client.read() == committed, "the next one is lost"
    assert client.sse_ids == sorted(client.sse_ids, key=live.resume_point), "not in order"
    assert len(set(client.sse_ids)) == len(client.sse_ids)
    await client.close()
    assert hub._watchers == {}, "the stream is still subscribed after it closed"


async def test_a_reconnect_gets_what_it_missed_then_live_ones_each_once(
    pool: Any, hub: InboxHub, inbox: FakeInbox
) -> None:
    seen = inbox.commit()
    missed = [inbox.commit(), inbox.commit()]
    client = await open_stream(pool, hub, last_id=seen)
    inbox.before_backlog_read.append(lambda: missed.append(inbox.commit()))  # both ways
    await client.first_line()
    assert await client.read() == missed
    missed.append(inbox.commit())
    assert await client.read() == missed
    await client.close()


async def newer_id_sent_while_older_in_flight(
    pool: Any, hub: InboxHub, inbox: FakeInbox
) -> tuple[Client, int, int]:
    """An open stream has sent id `fast` while id `slow` (< fast) is not committed yet."""
    client = await open_stream(pool, hub)
    await client.first_line()
    await client.read()
    slow = inbox.reserve()
    fast = inbox.commit()
    assert await client.read() == [fast]
    return client, slow, fast


async def test_an_older_id_committed_after_a_newer_one_is_sent_and_not_resumed_from(
    pool: Any, hub: InboxHub, inbox: FakeInbox
) -> None:
    """Several notify instances: a transaction that took id 2 commits after the one with 3."""
    client, slow, fast = await newer_id_sent_while_older_in_flight(pool, hub, inbox)
    inbox.commit(id=slow)
    assert await client.read() == [fast, slow]
    after_fast, after_slow = client.sse_ids
    await client.close()

    again = await open_stream(pool, hub, last_id=after_slow)
    await again.first_line()
    assert await again.read() == [], "a reconnect after both repeats one"
    await again.close()
    late = await open_stream(pool, hub, last_id=after_fast)
    await late.first_line()
    assert await late.read() == [slow], "a reconnect after the newer id misses the older one"
    await late.close()


async def test_a_stream_that_fell_behind_re_reads_what_it_dropped(
    pool: Any, hub: InboxHub, inbox: FakeInbox
) -> None:
    client, slow, fast = await newer_id_sent_while_older_in_flight(pool, hub, inbox)
    # More than a stream may hold arrive before it runs again, the older id among them: the
    # hub drops them all, and the stream re-reads them in the order they committed.
    burst = [inbox.commit() for _ in range(live.MAX_PENDING)]
    inbox.commit(id=slow)
    assert await client.read() == [fast, *burst, slow]
    await client.close()


async def test_a_stream_re_reads_after_the_hub_lost_its_listen_connection(
    pool: Any, hub: InboxHub, inbox: FakeInbox
) -> None:
    inbox.commit()
    client = await open_stream(pool, hub)
    await client.first_line()
    await client.read()
    unheard = inbox.commit(announce="never")  # committed while nobody listened
    hub._resync_all()  # what the hub does once it listens again
    assert await client.read() == [unheard]
    await client.close()


def test_a_resume_point_is_an_sse_id_of_ours_or_a_notification_id() -> None:
    assert live.resume_point("7-42") == live.Position(7, 42)
    assert str(live.Position(7, 42)) == "7-42"
    assert live.resume_point("42") == 42
    assert live.resume_point("9" * 18) == int("9" * 18)
    for garbled in ("", "1-", "-1", "1-2-3", "x", "1.5", " 1", "1\n", "9" * 19, "1-" + "9" * 19):
        with pytest.raises(ValueError, match="not a stream position"):
            live.resume_point(garbled)
