"""A partner's refusals and import reports reach its contact address as one digest per
interval, against real PostgreSQL; the inbox gets each at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.notify import store
from services.notify.digest import send_due_digests
from services.notify.domain import Recipient
from tests.integration.databases import fresh_database
from tests.integration.test_notify_delivery import deliveries, inbox, notify_feed
from zll.devstack.stack import DevStack
from zll.platform.testing import Feed

pytestmark = pytest.mark.integration
INTERVAL = 900.0


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "notify") as pool:
        yield pool


def report(feed: Feed, provider: str, new: int) -> Any:
    data = {
        "provider_id": provider,
        "import_id": str(uuid.uuid4()),
        "feed_id": "feed",
        "format": "openvhs",
        "outcome": "taken",
        "counts": {"new": new, "changed": 0, "unchanged": 0, "withdrawn": 0, "refused": 1},
        "refused": [
            {
                "export_id": "K-7",
                "title": "Excel kompakt",
                "line": 12,
                "message_de": "Kurs 'Excel kompakt' (Zeile 12): Der Preis fehlt.",
                "message_en": "Course 'Excel kompakt' (line 12): the price is missing.",
            }
        ],
    }
    return feed.record("zll.feedback.import-reported.v1", data, source="/services/intake")


async def partner_with_address(pool: asyncpg.Pool) -> str:
    provider = f"vhs-{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn:
        await store.put_preferences(
            conn, Recipient("partner", provider),
            channels_off=[], categories_off=[], email=f"kurse@{provider}.example", locale="de",
        )  # fmt: skip
    return provider


async def mails_of(pool: asyncpg.Pool, provider: str) -> list[dict[str, Any]]:
    return [d for d in await deliveries(pool, "partner", provider) if d["channel"] == "email"]


async def test_many_reports_at_once_are_one_email_and_each_is_in_the_inbox(
    pool: asyncpg.Pool,
) -> None:
    feed, provider = notify_feed(pool), await partner_with_address(pool)
    await feed.apply(*(report(feed, provider, new) for new in (3, 5, 8)))

    assert len(await inbox(pool, "partner", provider)) == 3
    assert await mails_of(pool, provider) == []  # waiting for the digest

    assert await send_due_digests(pool, INTERVAL) == 1

    [mail] = await mails_of(pool, provider)
    assert mail["target"] == f"kurse@{provider}.example"
    body = await pool.fetchval(
        "SELECT body_text FROM notifications n JOIN deliveries d ON d.notification_id = n.id"
        " WHERE d.id = $1",
        mail["id"],
    )
    assert body.startswith("Guten Tag,")
    for new in (3, 5, 8):
        assert f"{new} neu" in body
    assert body.count("Der Preis fehlt.") == 3


async def test_the_next_digest_waits_for_the_interval(pool: asyncpg.Pool) -> None:
    feed, provider = notify_feed(pool), await partner_with_address(pool)
    await feed.apply(report(feed, provider, 1))
    await send_due_digests(pool, INTERVAL)

    await feed.apply(report(feed, provider, 2))
    assert await send_due_digests(pool, INTERVAL) == 0
    assert len(await mails_of(pool, provider)) == 1

    await pool.execute("UPDATE digests_sent SET last_at = now() - interval '16 minutes'")
    assert await send_due_digests(pool, INTERVAL) == 1
    mails = await mails_of(pool, provider)
    assert len(mails) == 2
    # A single waiting notice goes out as itself.
    kinds = await pool.fetch(
        "SELECT n.kind FROM notifications n JOIN deliveries d ON d.notification_id = n.id"
        " WHERE d.channel = 'email' ORDER BY d.id"
    )
    assert [k["kind"] for k in kinds] == ["import.reported", "import.reported"]


async def test_two_instances_send_one_digest(pool: asyncpg.Pool) -> None:
    feed, provider = notify_feed(pool), await partner_with_address(pool)
    await feed.apply(*(report(feed, provider, new) for new in (1, 2)))

    sent = await asyncio.gather(send_due_digests(pool, INTERVAL), send_due_digests(pool, INTERVAL))

    assert sorted(sent) == [0, 1]
    assert len(await mails_of(pool, provider)) == 1


async def test_a_partner_without_an_address_gets_the_report_in_the_inbox_only(
    pool: asyncpg.Pool,
) -> None:
    feed, provider = notify_feed(pool), f"vhs-{uuid.uuid4().hex[:8]}"
    await feed.apply(report(feed, provider, 4))

    [notice] = await inbox(pool, "partner", provider)
    assert notice["kind"] == "import.reported"
    assert await send_due_digests(pool, INTERVAL) == 0
