"""Notify's SQL: what it remembers of courses and enrolments, the inbox, and the delivery queue."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from services.notify.domain import (
    CourseFacts,
    Reach,
    Recipient,
    Routed,
    Webhook,
    digested_by_email,
)
from services.notify.texts import Rendered
from zll.platform.db import Connection

WAKE_CHANNEL = "zll_notify_deliveries"

# --- what notify remembers of the region -------------------------------------------------


def _facts(row: asyncpg.Record) -> CourseFacts:
    return CourseFacts(
        course_id=row["course_id"],
        provider_id=row["provider_id"],
        title=row["title"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        place=row["place"],
        skills=frozenset(row["skills"]),
        revision=row["revision"],
    )


async def courses(conn: Connection, course_ids: Iterable[str]) -> dict[str, CourseFacts]:
    rows = await conn.fetch(
        "SELECT * FROM courses WHERE course_id = ANY($1::text[])", list(set(course_ids))
    )
    return {r["course_id"]: _facts(r) for r in rows}


async def save_courses(
    conn: Connection, facts: Sequence[CourseFacts], withdrawn: Sequence[bool]
) -> None:
    """Upsert the newest state; an older revision never overwrites a newer one."""
    await conn.execute(
        """
        INSERT INTO courses AS c (course_id, provider_id, revision, title, start_date, end_date,
                                  place, skills, withdrawn)
        SELECT u.course_id, u.provider_id, u.revision, u.title, u.start_date, u.end_date, u.place,
               coalesce((SELECT array_agg(s) FROM jsonb_array_elements_text(u.skills::jsonb) s),
                        '{}'), u.withdrawn
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::date[], $6::date[],
                    $7::text[], $8::text[], $9::boolean[])
             AS u(course_id, provider_id, revision, title, start_date, end_date, place, skills,
                  withdrawn)
        ON CONFLICT (course_id) DO UPDATE SET
            provider_id = excluded.provider_id, revision = excluded.revision,
            title = excluded.title, start_date = excluded.start_date,
            end_date = excluded.end_date, place = excluded.place, skills = excluded.skills,
            withdrawn = excluded.withdrawn
        WHERE c.revision <= excluded.revision
        """,
        [f.course_id for f in facts],
        [f.provider_id for f in facts],
        [f.revision for f in facts],
        [f.title for f in facts],
        [f.start_date for f in facts],
        [f.end_date for f in facts],
        [f.place for f in facts],
        [json.dumps(sorted(f.skills)) for f in facts],
        list(withdrawn),
    )


async def remember_enrolled(conn: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """(enrolment_id, course_id, learner_id) that hold a seat or a waitlist place."""
    await conn.executemany(
        "INSERT INTO enrolled (enrolment_id, course_id, learner_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (enrolment_id) DO NOTHING",
        rows,
    )


async def forget_enrolled(conn: Connection, enrolment_ids: Sequence[str]) -> None:
    await conn.execute(
        "DELETE FROM enrolled WHERE enrolment_id = ANY($1::text[])", list(enrolment_ids)
    )


async def learners_in(conn: Connection, course_ids: Iterable[str]) -> dict[str, set[str]]:
    rows = await conn.fetch(
        "SELECT course_id, learner_id FROM enrolled WHERE course_id = ANY($1::text[])",
        list(set(course_ids)),
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["course_id"], set()).add(row["learner_id"])
    return found


async def teachers(conn: Connection, skills: Iterable[str]) -> dict[str, set[str]]:
    """Providers with a live course that teaches each skill."""
    rows = await conn.fetch(
        "SELECT DISTINCT s AS skill, provider_id FROM courses, unnest(skills) s"
        " WHERE NOT withdrawn AND skills && $1::text[] AND s = ANY($1::text[])",
        list(set(skills)),
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["skill"], set()).add(row["provider_id"])
    return found


async def remember_contacts(
    conn: Connection, contacts: Sequence[tuple[str, str | None, str | None]]
) -> None:
    """(learner_id, email, locale) from enrolment events; a missing value keeps the old one."""
    await conn.executemany(
        """
        INSERT INTO recipients AS r (recipient_kind, recipient_id, email, locale)
        VALUES ('learner', $1, $2, $3)
        ON CONFLICT (recipient_kind, recipient_id) DO UPDATE SET
            email = coalesce(excluded.email, r.email), locale = coalesce(excluded.locale, r.locale)
        """,
        contacts,
    )


# --- routing and the inbox ------------------------------------------------------------------


async def reach(conn: Connection, recipients: Iterable[Recipient]) -> dict[Recipient, Reach]:
    wanted = list(set(recipients))
    rows = await conn.fetch(
        """
        SELECT k.kind, k.id, r.channels_off, r.categories_off,
               coalesce(r.pref_email, r.email) AS email,
               coalesce(r.pref_locale, r.locale) AS locale, w.url, w.events
        FROM unnest($1::text[], $2::text[]) AS k(kind, id)
        LEFT JOIN recipients r ON r.recipient_kind = k.kind AND r.recipient_id = k.id
        LEFT JOIN webhooks w ON k.kind = 'partner' AND w.partner_id = k.id
        """,
        [r.kind for r in wanted],
        [r.id for r in wanted],
    )
    found: dict[Recipient, Reach] = {}
    for row in rows:
        hook = Webhook(row["url"], frozenset(row["events"])) if row["url"] else None
        found[Recipient(row["kind"], row["id"])] = Reach(
            channels_off=frozenset(row["channels_off"] or ()),
            categories_off=frozenset(row["categories_off"] or ()),
            email=row["email"],
            locale=row["locale"],
            webhook=hook,
        )
    return found


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A routed notice with its text and the event that caused it."""

    event_source: str
    event_id: str
    routed: Routed
    text: Rendered


async def add_notifications(conn: Connection, outgoing: Sequence[Outgoing]) -> int:
    """Insert the inbox rows and schedule their deliveries; returns deliveries scheduled.

    A notice already recorded for the same (event, recipient, kind) is skipped whole, so a
    re-applied event never delivers twice.
    """
    if not outgoing:
        return 0
    rows = await conn.fetch(
        """
        INSERT INTO notifications (event_source, event_id, recipient_kind, recipient_id, kind,
                                   category, locale, subject, body_text, body_html, data, in_inbox)
        SELECT s, e, rk, ri, k, c, l, sj, bt, bh, d::jsonb, i
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::boolean[])
             AS u(s, e, rk, ri, k, c, l, sj, bt, bh, d, i)
        ON CONFLICT DO NOTHING
        RETURNING id, event_source, event_id, recipient_kind, recipient_id, kind
        """,
        *_columns(outgoing),
    )
    by_key = {(o.event_source, o.event_id, *_notice_key(o.routed)): o.routed for o in outgoing}
    deliveries: list[tuple[int, str, str, str, str]] = []
    digested: list[tuple[int, str, str, str]] = []
    for row in rows:
        routed = by_key[tuple(row)[1:]]
        who = routed.notice.recipient
        if routed.email and digested_by_email(routed):
            digested.append((row["id"], who.kind, who.id, routed.email))
        elif routed.email:
            deliveries.append((row["id"], "email", who.kind, who.id, routed.email))
        if routed.webhook_url:
            deliveries.append((row["id"], "webhook", who.kind, who.id, routed.webhook_url))
    if deliveries:
        await conn.executemany(
            "INSERT INTO deliveries"
            " (notification_id, channel, recipient_kind, recipient_id, target)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            deliveries,
        )
        await conn.execute("SELECT pg_notify($1, '')", WAKE_CHANNEL)
    if digested:
        await conn.executemany(
            "INSERT INTO digest_items (notification_id, recipient_kind, recipient_id, target)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            digested,
        )
    return len(deliveries)


def _notice_key(routed: Routed) -> tuple[str, str, str]:
    return (routed.notice.recipient.kind, routed.notice.recipient.id, routed.notice.kind)


def _columns(outgoing: Sequence[Outgoing]) -> list[list[Any]]:
    return [
        [o.event_source for o in outgoing],
        [o.event_id for o in outgoing],
        [o.routed.notice.recipient.kind for o in outgoing],
        [o.routed.notice.recipient.id for o in outgoing],
        [o.routed.notice.kind for o in outgoing],
        [o.routed.notice.category for o in outgoing],
        [o.routed.locale for o in outgoing],
        [o.text.subject for o in outgoing],
        [o.text.text for o in outgoing],
        [o.text.html for o in outgoing],
        [json.dumps(o.routed.notice.data, default=_json_default) for o in outgoing],
        [o.routed.in_inbox for o in outgoing],
    ]


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a notification")


_NOTIFICATION_OUT = (
    "id, kind, category, locale, subject, body_text AS text, data::text AS data,"
    " created_at, read_at"
)


async def inbox(
    conn: Connection, who: Recipient, *, limit: int, before: int | None, unread: bool
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {_NOTIFICATION_OUT} FROM notifications"
        " WHERE recipient_kind = $1 AND recipient_id = $2 AND in_inbox"
        " AND ($3::bigint IS NULL OR id < $3) AND (NOT $4 OR read_at IS NULL)"
        " ORDER BY id DESC LIMIT $5",
        who.kind,
        who.id,
        before,
        unread,
        limit,
    )
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


async def mark_read(
    conn: Connection, who: Recipient, notification_id: int
) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"UPDATE notifications SET read_at = coalesce(read_at, now())"
        f" WHERE id = $1 AND recipient_kind = $2 AND recipient_id = $3 AND in_inbox"
        f" RETURNING {_NOTIFICATION_OUT}",
        notification_id,
        who.kind,
        who.id,
    )
    return None if row is None else {**dict(row), "data": json.loads(row["data"])}


# --- webhooks and preferences ---------------------------------------------------------------


async def put_webhook(
    conn: Connection, partner_id: str, url: str, secret: str, events: Sequence[str]
) -> None:
    await conn.execute(
        "INSERT INTO webhooks (partner_id, url, secret, events) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (partner_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,"
        " events = excluded.events, updated_at = now()",
        partner_id,
        url,
        secret,
        list(events),
    )


async def get_webhook(conn: Connection, partner_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT url, events, updated_at FROM webhooks WHERE partner_id = $1", partner_id
    )
    return None if row is None else dict(row)


async def delete_webhook(conn: Connection, partner_id: str) -> bool:
    return (
        await conn.fetchval("DELETE FROM webhooks WHERE partner_id = $1 RETURNING true", partner_id)
        is not None
    )


async def put_preferences(
    conn: Connection,
    who: Recipient,
    *,
    channels_off: Sequence[str],
    categories_off: Sequence[str],
    email: str | None,
    locale: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO recipients AS r (recipient_kind, recipient_id, channels_off, categories_off,"
        " pref_email, pref_locale) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (recipient_kind, recipient_id) DO UPDATE SET"
        " channels_off = excluded.channels_off, categories_off = excluded.categories_off,"
        " pref_email = excluded.pref_email, pref_locale = excluded.pref_locale",
        who.kind,
        who.id,
        list(channels_off),
        list(categories_off),
        email,
        locale,
    )


async def get_preferences(conn: Connection, who: Recipient) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT channels_off, categories_off, pref_email, pref_locale, email, locale"
        " FROM recipients WHERE recipient_kind = $1 AND recipient_id = $2",
        who.kind,
        who.id,
    )
    if row is None:
        return {"channels_off": [], "categories_off": [], "email": None, "locale": None}
    return {
        "channels_off": list(row["channels_off"]),
        "categories_off": list(row["categories_off"]),
        "email": row["pref_email"],
        "locale": row["pref_locale"],
        "email_from_enrolments": row["email"],
        "locale_from_enrolments": row["locale"],
    }


# --- the live inbox (Server-Sent Events) ------------------------------------------------------


# A row's place in its stream: its commit's position (0 for rows from before migration 004),
# then its id. See migration 004 for why the commit's position follows commit order.
_COMMIT_POSITION = (
    "COALESCE((SELECT c.position FROM inbox_commits c WHERE c.xact = n.xact), 0) AS position"
)


async def notifications_by_id(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Inbox rows by id with their recipient and stream position, in commit order (the live
    fan-out; it fetches rows whose commit it has been told of, so each has its position)."""
    rows = await conn.fetch(
        f"SELECT {_NOTIFICATION_OUT}, recipient_kind, recipient_id, {_COMMIT_POSITION}"
        " FROM notifications n WHERE id = ANY($1::bigint[]) AND in_inbox"
        " ORDER BY position, id",
        list(ids),
    )
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


async def inbox_after(
    conn: Connection, who: Recipient, position: int, after_id: int, limit: int = 500
) -> list[dict[str, Any]]:
    """What a stream has not sent yet: inbox rows after (`position`, `after_id`) in commit
    order, oldest first.

    Starts from the commits at or after `position` (usually a handful: those since the
    stream last read) and looks up the recipient's rows of each; rows from before
    migration 004 count as position 0.
    """
    rows = await conn.fetch(
        f"""
        SELECT * FROM (
            SELECT {_NOTIFICATION_OUT}, c.position
            FROM inbox_commits c
            JOIN notifications n ON n.xact = c.xact
             AND n.recipient_kind = $1 AND n.recipient_id = $2 AND n.in_inbox
            WHERE c.position >= $3 AND (c.position, n.id) > ($3, $4)
            UNION ALL
            SELECT {_NOTIFICATION_OUT}, 0 AS position
            FROM notifications n
            WHERE $3 = 0 AND n.recipient_kind = $1 AND n.recipient_id = $2 AND n.in_inbox
              AND n.xact IS NULL AND n.id > $4
        ) found
        ORDER BY position, id LIMIT $5
        """,
        who.kind,
        who.id,
        position,
        after_id,
        limit,
    )
    return [{**dict(r), "data": json.loads(r["data"])} for r in rows]


async def newest_commit_position(conn: Connection) -> int:
    """The newest commit position this reader can see (0 for none).

    Every commit it cannot see yet will get a higher one (migration 004): a fresh stream
    that starts after this position misses nothing and repeats nothing.
    """
    return int(await conn.fetchval("SELECT COALESCE(max(position), 0) FROM inbox_commits"))


async def position_of(conn: Connection, who: Recipient, notification_id: int) -> tuple[int, int]:
    """The stream position of one of the recipient's inbox rows, for a client that resumes
    from a plain notification id (the inbox's `id`, as a page that loaded the inbox first
    has it). For an id that is not the recipient's (erased, or 0 for an empty inbox): just
    after their newest row at or below that id, else the very start."""
    row = await conn.fetchrow(
        f"SELECT id, {_COMMIT_POSITION} FROM notifications n"
        " WHERE recipient_kind = $1 AND recipient_id = $2 AND in_inbox AND id <= $3"
        " ORDER BY id = $3 DESC, position DESC, id DESC LIMIT 1",
        who.kind,
        who.id,
        notification_id,
    )
    return (int(row["position"]), int(row["id"])) if row else (0, 0)
