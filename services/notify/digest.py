"""Partner digests: a partner's waiting refusals and import reports, one e-mail per interval.

`store.add_notifications` parks a partner's e-mail of a digested category in `digest_items`
instead of scheduling it. Here, once the interval since the address's last digest has passed,
its waiting notices become one e-mail (a single one goes out as itself) on the ordinary
delivery queue, with its retries and log. Taking the items is a DELETE … RETURNING, so with
two instances each notice is sent once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import asyncpg

from services.notify import texts
from services.notify.config import NotifySettings
from services.notify.store import WAKE_CHANNEL
from zll.platform.db import Connection

log = logging.getLogger(__name__)

DIGEST_KIND = "partner.digest"
_FOOTER_MARK = "\n\n-- \n"

_DUE_ADDRESSES = """
    SELECT DISTINCT i.recipient_kind, i.recipient_id, i.target
    FROM digest_items i
    LEFT JOIN digests_sent s USING (recipient_kind, recipient_id, target)
    WHERE s.last_at IS NULL OR s.last_at <= now() - make_interval(secs => $1)
"""


async def send_due_digests(pool: asyncpg.Pool, interval_seconds: float) -> int:
    """Turn the waiting notices of every address whose interval has passed into one e-mail
    each; returns how many e-mails were scheduled."""
    async with pool.acquire() as conn, conn.transaction():
        addresses = await conn.fetch(_DUE_ADDRESSES, interval_seconds)
        scheduled = 0
        for address in addresses:
            scheduled += await _digest(conn, *address)
        if scheduled:
            await conn.execute("SELECT pg_notify($1, '')", WAKE_CHANNEL)
    return scheduled


async def _digest(conn: Connection, kind: str, recipient: str, target: str) -> int:
    taken = await conn.fetch(
        "DELETE FROM digest_items WHERE recipient_kind = $1 AND recipient_id = $2"
        " AND target = $3 RETURNING notification_id",
        kind,
        recipient,
        target,
    )
    if not taken:
        return 0  # another instance took them first
    ids = sorted(r["notification_id"] for r in taken)
    if len(ids) == 1:
        sent_as = ids[0]
    else:
        sent_as = await _digest_notification(conn, kind, recipient, ids)
    await conn.execute(
        "INSERT INTO deliveries (notification_id, channel, recipient_kind, recipient_id, target)"
        " VALUES ($1, 'email', $2, $3, $4) ON CONFLICT DO NOTHING",
        sent_as,
        kind,
        recipient,
        target,
    )
    await conn.execute(
        "INSERT INTO digests_sent (recipient_kind, recipient_id, target, last_at)"
        " VALUES ($1, $2, $3, now()) ON CONFLICT (recipient_kind, recipient_id, target)"
        " DO UPDATE SET last_at = now()",
        kind,
        recipient,
        target,
    )
    return 1


async def _digest_notification(conn: Connection, kind: str, recipient: str, ids: list[int]) -> int:
    """One e-mail-only notification holding the texts of `ids`, in the latest one's language."""
    rows = await conn.fetch(
        "SELECT id, locale, subject, body_text FROM notifications WHERE id = ANY($1) ORDER BY id",
        ids,
    )
    locale = rows[-1]["locale"]
    items: list[dict[str, Any]] = [
        {"subject": r["subject"], "text": r["body_text"].split(_FOOTER_MARK, 1)[0].strip()}
        for r in rows
    ]
    rendered = texts.render(DIGEST_KIND, locale, {"items": items})
    notification_id: int = await conn.fetchval(
        """
        INSERT INTO notifications (event_source, event_id, recipient_kind, recipient_id, kind,
                                   category, locale, subject, body_text, body_html, data, in_inbox)
        VALUES ('/services/notify', $1, $2, $3, $4, 'feedback', $5, $6, $7, $8, $9::jsonb, false)
        RETURNING id
        """,
        f"digest:{uuid.uuid4()}",
        kind,
        recipient,
        DIGEST_KIND,
        locale,
        rendered.subject,
        rendered.text,
        rendered.html,
        json.dumps({"notifications": ids}),
    )
    return notification_id


async def run(pool: asyncpg.Pool, config: NotifySettings) -> None:
    """Look for due digests every `digest_poll_seconds`, forever."""
    while True:
        try:
            await send_due_digests(pool, config.partner_digest_seconds)
        except Exception:  # one bad round must not stop the next
            log.exception("sending partner digests failed")
        await asyncio.sleep(config.digest_poll_seconds)
