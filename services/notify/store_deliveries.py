"""Notify's SQL for the delivery queue: claim due deliveries, record outcomes, the log, replay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notify.domain import Recipient
from services.notify.store import WAKE_CHANNEL
from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed delivery with everything needed to send it."""

    id: int
    channel: str
    target: str
    attempts: int
    notification_id: int
    key: str  # idempotency key: the same for every attempt, replay and database rebuild
    recipient: Recipient
    kind: str
    category: str
    locale: str
    subject: str
    text: str
    html: str
    data: dict[str, Any]
    created_at: datetime
    webhook_url: str | None
    webhook_secret: str | None


_CLAIM = """
    WITH due AS (
        SELECT id FROM deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1
        FOR UPDATE SKIP LOCKED
    )
    UPDATE deliveries d
    SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
    FROM due, notifications n
    LEFT JOIN webhooks w ON w.partner_id = n.recipient_id AND n.recipient_kind = 'partner'
    WHERE d.id = due.id AND n.id = d.notification_id
    RETURNING d.id, d.channel, d.target, d.attempts, n.id AS notification_id, n.recipient_kind,
              n.recipient_id, n.kind, n.category, n.locale, n.subject, n.body_text, n.body_html,
              n.data::text AS data, n.created_at, w.url AS webhook_url, w.secret AS webhook_secret,
              md5(concat_ws('|', n.event_source, n.event_id, n.recipient_kind, n.recipient_id,
                            n.kind)) AS key
"""


async def claim_due(conn: Connection, limit: int, lease_seconds: float) -> list[Due]:
    """Take up to `limit` due deliveries and lease them: nobody else sends them meanwhile."""
    rows = await conn.fetch(_CLAIM, limit, lease_seconds)
    return [
        Due(
            id=r["id"],
            channel=r["channel"],
            target=r["target"],
            attempts=r["attempts"],
            notification_id=r["notification_id"],
            key=r["key"],
            recipient=Recipient(r["recipient_kind"], r["recipient_id"]),
            kind=r["kind"],
            category=r["category"],
            locale=r["locale"],
            subject=r["subject"],
            text=r["body_text"],
            html=r["body_html"],
            data=json.loads(r["data"]),
            created_at=r["created_at"],
            webhook_url=r["webhook_url"],
            webhook_secret=r["webhook_secret"],
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of one attempt: sent, or an error and when to try again (None: park it)."""

    delivery_id: int
    error: str | None = None
    retry_in_seconds: float | None = None

    @property
    def status(self) -> str:
        if self.error is None:
            return "sent"
        return "pending" if self.retry_in_seconds is not None else "failed"


async def record_outcomes(conn: Connection, outcomes: Sequence[Outcome]) -> None:
    await conn.execute(
        """
        UPDATE deliveries d SET
            status = u.status,
            last_error = u.error,
            sent_at = CASE WHEN u.status = 'sent' THEN now() END,
            next_attempt_at = CASE WHEN u.status = 'pending'
                                   THEN now() + make_interval(secs => u.retry_in)
                                   ELSE d.next_attempt_at END
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[]) AS u(id, status, error,
                                                                              retry_in)
        WHERE d.id = u.id AND d.status = 'pending'
        """,
        [o.delivery_id for o in outcomes],
        [o.status for o in outcomes],
        [o.error for o in outcomes],
        [o.retry_in_seconds for o in outcomes],
    )


_DELIVERY_OUT = (
    "d.id, d.notification_id, n.kind, d.channel, d.target, d.status, d.attempts,"
    " d.next_attempt_at, d.last_error, d.created_at, d.sent_at"
)


async def deliveries_of(
    conn: Connection, who: Recipient, *, status: str | None, limit: int, before: int | None
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {_DELIVERY_OUT} FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
        " WHERE d.recipient_kind = $1 AND d.recipient_id = $2"
        " AND ($3::text IS NULL OR d.status = $3) AND ($4::bigint IS NULL OR d.id < $4)"
        " ORDER BY d.id DESC LIMIT $5",
        who.kind,
        who.id,
        status,
        before,
        limit,
    )
    return [dict(r) for r in rows]


async def failed_deliveries(
    conn: Connection, limit: int, *, before: int | None = None
) -> list[dict[str, Any]]:
    """Parked deliveries of everybody, newest first: what an operator has to look at."""
    rows = await conn.fetch(
        f"SELECT {_DELIVERY_OUT}, d.recipient_kind, d.recipient_id FROM deliveries d"
        " JOIN notifications n ON n.id = d.notification_id WHERE d.status = 'failed'"
        " AND ($2::bigint IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $1",
        limit,
        before,
    )
    return [dict(r) for r in rows]


async def replay(conn: Connection, who: Recipient, delivery_id: int) -> dict[str, Any] | None:
    """Due now with a fresh retry budget; same notification, so the same idempotency key."""
    row = await conn.fetchrow(
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),"
        " last_error = NULL, sent_at = NULL"
        " WHERE id = $1 AND recipient_kind = $2 AND recipient_id = $3 RETURNING id",
        delivery_id,
        who.kind,
        who.id,
    )
    if row is None:
        return None
    await conn.execute("SELECT pg_notify($1, '')", WAKE_CHANNEL)
    found = await deliveries_of(conn, who, status=None, limit=1, before=delivery_id + 1)
    return found[0]
