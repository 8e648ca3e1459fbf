"""Notify: notifications/s into the inbox, e-mails/s into the local SMTP sink, webhooks/s to a
local receiver, and webhooks/s when 10 % of the receivers are down."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
from zll_contracts import new_event, to_record

from bench.harness import BenchContext, Result
from zll.platform.auth import mint_token
from zll.platform.kafka import new_producer
from zll.platform.settings import Settings

BENCH = "notify"


class Receiver:
    """A minimal HTTP/1.1 webhook receiver on a loopback port; answers 200 to everything."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                path = head.split(" ", 2)[1]
                length = 0
                for line in head.split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                await reader.readexactly(length)
                self.hits[path] += 1
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        writer.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _publish(
    bootstrap: str, topic: str, events: list[tuple[str, str, dict[str, Any], str]]
) -> None:
    producer = new_producer(bootstrap, "bench-notify")
    await producer.start()
    try:
        for ce_type, source, data, key in events:
            record = to_record(new_event(ce_type, source, data), key)
            await producer.send(topic, record.value, key=record.key, headers=list(record.headers))
        await producer.flush()
    finally:
        await producer.stop()


def _confirmed(run: str, n: int, email: bool) -> tuple[str, str, dict[str, Any], str]:
    course = f"bench-{n % 50}:c{n % 500}"
    data: dict[str, Any] = {
        "enrolment_id": str(uuid.uuid4()),
        "course_id": course,
        "learner_id": f"{run}-l{n}",
        "occurred_at": "2026-11-23T10:00:00Z",
        "source": "http",
    }
    if email:
        data["contact_email"] = f"{run}-l{n}@bench.example"
    return ("zll.enrolment.confirmed.v1", "/services/enrolment", data, course)


def _feedback(partner: str, n: int) -> tuple[str, str, dict[str, Any], str]:
    data = {
        "provider_id": partner,
        "original_ce_id": f"ce-{n}",
        "topic": "zll.provider.courses.v1",
        "errors": [{"field": "title", "message": "must not be empty"}],
    }
    return ("zll.feedback.rejected.v1", "/services/catalog", data, partner)


async def _until(check: Callable[[], Any], timeout: float) -> float:
    """Seconds until `check()` is true (awaiting it if needed); raises after `timeout`."""
    start = time.perf_counter()
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"not done within {timeout}s")
        await asyncio.sleep(0.02)


async def _inbox(ctx: BenchContext, db: asyncpg.Pool, count: int) -> Result:
    run = f"i{uuid.uuid4().hex[:6]}"
    events = [_confirmed(run, n, email=False) for n in range(count)]

    async def all_there() -> bool:
        got = await db.fetchval(
            "SELECT count(*) FROM notifications WHERE event_source = '/services/enrolment'"
            " AND data->>'learner_id' LIKE $1",
            f"{run}-%",
        )
        return int(got) >= 2 * count  # the learner's and the provider's

    start = time.perf_counter()
    await _publish(ctx.stack.bootstrap, "zll.enrolments.v1", events)
    await _until(all_there, 600)
    # Per event, as the baseline counts records: each event is one record read, two rows.
    rate = count / (time.perf_counter() - start)
    return Result(
        BENCH, f"enrolment events into the inbox ({count}, 2 notifications each)", rate,
        "events/s", baseline="raw consume", ratio=rate / ctx.baseline.consume_per_s,
        note=f"publish → both notifications committed (learner's, provider's; rendered de):"
        f" {2 * rate:,.0f} notifications/s",
    )  # fmt: skip


async def _emails(ctx: BenchContext, count: int) -> Result:
    run = f"m{uuid.uuid4().hex[:6]}"
    folder = ctx.stack.layout.mail
    before = len(list(folder.glob("*.eml"))) if folder.exists() else 0
    start = time.perf_counter()
    await _publish(
        ctx.stack.bootstrap, "zll.enrolments.v1", [_confirmed(run, n, True) for n in range(count)]
    )
    await _until(lambda: len(list(folder.glob("*.eml"))) - before >= count, 600)
    rate = count / (time.perf_counter() - start)
    return Result(
        BENCH, f"e-mails into the local SMTP sink ({count})", rate, "mail/s",
        baseline="raw consume", ratio=rate / ctx.baseline.consume_per_s,
        note="publish → .eml on disk; text + HTML, one SMTP session per mail",
    )  # fmt: skip


async def _webhooks(
    ctx: BenchContext, http: httpx.AsyncClient, receiver: Receiver, count: int, down_share: float
) -> tuple[float, int]:
    """Webhook deliveries/s to the receivers that are up; returns (rate, deliveries expected)."""
    run = uuid.uuid4().hex[:6]
    partners = [f"wh-{run}-{n}" for n in range(50)]
    down = set(partners[: int(len(partners) * down_share)])
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    dead = f"http://127.0.0.1:{_closed_port()}"
    for partner in partners:
        base = dead if partner in down else f"http://127.0.0.1:{receiver.port}"
        headers = {
            "Authorization": f"Bearer {mint_token(Settings(), role='provider', sub=partner)}"
        }
        body = {"url": f"{base}/{partner}", "secret": secret, "events": []}
        (
            await http.put(f"/partners/{partner}/webhook", json=body, headers=headers)
        ).raise_for_status()
    events = [_feedback(partners[n % len(partners)], n) for n in range(count)]
    expected = sum(1 for _, _, data, _ in events if data["provider_id"] not in down)
    up_paths = {f"/{p}" for p in partners if p not in down}

    start = time.perf_counter()
    await _publish(ctx.stack.bootstrap, "zll.provider.feedback.v1", events)
    await _until(lambda: sum(receiver.hits[p] for p in up_paths) >= expected, 600)
    return expected / (time.perf_counter() - start), expected


async def run(ctx: BenchContext) -> list[Result]:
    ctx.stack.start_service("notify")
    ctx.stack.wait_ready("notify")
    receiver = Receiver()
    await receiver.start()
    db = await asyncpg.create_pool(ctx.stack.database_url("notify"), min_size=1, max_size=2)
    assert db is not None
    try:
        results = [await _inbox(ctx, db, ctx.scale(20_000, 1_000))]
        results.append(await _emails(ctx, ctx.scale(2_000, 100)))
        async with httpx.AsyncClient(base_url=ctx.stack.layout.url("notify")) as http:
            n = ctx.scale(5_000, 300)
            all_up, _ = await _webhooks(ctx, http, receiver, n, 0.0)
            some_down, expected = await _webhooks(ctx, http, receiver, n, 0.10)
        results += [
            Result(
                BENCH, f"webhook deliveries, all receivers up ({n})", all_up, "hooks/s",
                baseline="raw consume", ratio=all_up / ctx.baseline.consume_per_s,
                note="publish → signed POST received; 50 partners, concurrency 64",
            ),
            Result(
                BENCH, f"webhook deliveries, 10 % of receivers down ({expected} to the rest)",
                some_down, "hooks/s", baseline="all receivers up", ratio=some_down / all_up,
                note="down = connection refused; their deliveries wait in the database",
            ),
        ]  # fmt: skip
        return results
    finally:
        await db.close()
        receiver.stop()
        ctx.stack.stop_service("notify")
