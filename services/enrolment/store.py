"""The seat ledger's SQL: courses, enrolments, certificates and signing keys."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.enrolment.domain import Course, Ledger
from zll.platform.db import Connection


@dataclass(frozen=True, slots=True)
class KnownCourse:
    course_id: str
    provider_id: str
    revision: int
    status: str
    capacity: int
    start_date: date
    end_date: date
    title: str = ""
    modules: tuple[dict[str, Any], ...] = ()
    confirmed: int = 0
    waitlisted: int = 0
    offer_hours: int | None = None  # None: a freed seat is confirmed at once
    offered: int = 0  # seats held by open offers
    price_eur: float | None = None  # None: learned before prices were kept (migration 006)

    def facts(self) -> Course:
        return Course(
            self.course_id,
            self.provider_id,
            self.status == "live",
            self.capacity,
            self.end_date,
            self.offer_hours,
            self.start_date,
        )


@dataclass(frozen=True, slots=True)
class NewEnrolment:
    enrolment_id: UUID
    course_id: str
    learner_id: str
    status: str
    source: str
    requested_at: datetime
    placement_id: str | None = None
    reason_code: str | None = None
    reason: str | None = None
    contact: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class EnrolmentRow:
    enrolment_id: UUID
    course_id: str
    learner_id: str
    status: str
    source: str
    placement_id: str | None
    reason_code: str | None
    reason: str | None
    cancelled_by: str | None
    requested_at: datetime
    updated_at: datetime
    waitlist_position: int | None
    provider_id: str | None
    certificate_id: str | None
    contact: str | None = None  # JSON text of the request's contact, for notifications
    seq: int = 0  # arrival order in the ledger: the key lists are paged by
    offer_expires_at: datetime | None = None
    offer_ended_at: datetime | None = None

    def contact_fields(self) -> dict[str, Any]:
        return contact_fields(json.loads(self.contact) if self.contact else None)


def contact_fields(contact: dict[str, Any] | None) -> dict[str, Any]:
    """The outcome events' contact_email and locale, from a request's contact."""
    contact = contact or {}
    return {"contact_email": contact.get("email"), "locale": contact.get("locale")}


_COURSE_COLUMNS = (
    "course_id, provider_id, revision, status, capacity, start_date, end_date, title,"
    " modules, confirmed, waitlisted, offer_hours, offered, price_eur"
)


def _course(row: Any) -> KnownCourse:
    values = dict(row)
    values["modules"] = tuple(json.loads(values["modules"]))
    return KnownCourse(**values)


async def remember_course(conn: Connection, course: KnownCourse) -> bool:
    """Keep the newest revision the catalog published; an older one changes nothing (False)."""
    applied = await conn.fetchval(
        """
        INSERT INTO courses (course_id, provider_id, revision, status, capacity, start_date,
                             end_date, title, modules, offer_hours, price_eur)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
        ON CONFLICT (course_id) DO UPDATE SET
            revision = EXCLUDED.revision, status = EXCLUDED.status, capacity = EXCLUDED.capacity,
            start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
            title = EXCLUDED.title, modules = EXCLUDED.modules,
            offer_hours = EXCLUDED.offer_hours, price_eur = EXCLUDED.price_eur,
            updated_at = now()
        WHERE courses.revision < EXCLUDED.revision
        RETURNING true
        """,
        course.course_id,
        course.provider_id,
        course.revision,
        course.status,
        course.capacity,
        course.start_date,
        course.end_date,
        course.title,
        json.dumps(list(course.modules)),
        course.offer_hours,
        course.price_eur,
    )
    return bool(applied)


async def get_course(conn: Connection, course_id: str) -> KnownCourse | None:
    row = await conn.fetchrow(
        f"SELECT {_COURSE_COLUMNS} FROM courses WHERE course_id = $1", course_id
    )
    return _course(row) if row else None


async def lock_courses(conn: Connection, course_ids: Sequence[str]) -> dict[str, KnownCourse]:
    """Lock the courses' rows in one order (no deadlocks): seat decisions per course queue here."""
    rows = await conn.fetch(
        f"SELECT {_COURSE_COLUMNS} FROM courses WHERE course_id = ANY($1::text[])"
        " ORDER BY course_id FOR UPDATE",
        sorted(set(course_ids)),
    )
    return {r["course_id"]: _course(r) for r in rows}


async def load_ledger(
    conn: Connection,
    course_id: str,
    course: KnownCourse | None,
    learner_ids: Sequence[str],
    today: date,
    *,
    whole_waitlist: bool = True,
) -> Ledger:
    """One course's seats as the domain sees them; call with the course row locked.

    Deciding new requests needs only the waitlist's length (`whole_waitlist=False`);
    promotions need it in order.
    """
    ledger = Ledger(course.facts() if course else None, course_id, today)
    if course is None:
        return ledger
    ledger.confirmed = course.confirmed
    ledger.held = course.offered
    if whole_waitlist:
        waiting = await conn.fetch(
            "SELECT enrolment_id FROM enrolments WHERE course_id = $1 AND status = 'waitlisted'"
            " ORDER BY seq",
            course_id,
        )
        ledger.waitlist = [str(r["enrolment_id"]) for r in waiting]
    else:
        ledger.unloaded_waiting = course.waitlisted
    if learner_ids:
        enrolled = await conn.fetch(
            "SELECT learner_id FROM enrolments WHERE course_id = $1"
            " AND learner_id = ANY($2::text[])"
            " AND status IN ('confirmed', 'waitlisted', 'offered')",
            course_id,
            list(set(learner_ids)),
        )
        ledger.enrolled_learners = {r["learner_id"] for r in enrolled}
    return ledger


async def known_enrolment_ids(conn: Connection, ids: Sequence[UUID]) -> set[UUID]:
    rows = await conn.fetch(
        "SELECT enrolment_id FROM enrolments WHERE enrolment_id = ANY($1::uuid[])", list(ids)
    )
    return {r["enrolment_id"] for r in rows}


async def insert_enrolments(conn: Connection, rows: Sequence[NewEnrolment]) -> None:
    """Write new enrolments in arrival order (their seq is the waitlist order)."""
    if not rows:
        return
    await conn.execute(
        """
        INSERT INTO enrolments (enrolment_id, course_id, learner_id, status, source,
                                requested_at, placement_id, reason_code, reason, contact)
        SELECT a, b, c, d, e, f, g, h, i, j
          FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                      $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
            WITH ORDINALITY AS r(a, b, c, d, e, f, g, h, i, j, n)
        ORDER BY n
        """,
        [r.enrolment_id for r in rows],
        [r.course_id for r in rows],
        [r.learner_id for r in rows],
        [r.status for r in rows],
        [r.source for r in rows],
        [r.requested_at for r in rows],
        [r.placement_id for r in rows],
        [r.reason_code for r in rows],
        [r.reason for r in rows],
        [json.dumps(r.contact) if r.contact is not None else None for r in rows],
    )


async def set_status(
    conn: Connection,
    enrolment_ids: Sequence[UUID | str],
    status: str,
    *,
    cancelled_by: str | None = None,
    reason: str | None = None,
) -> None:
    if not enrolment_ids:
        return
    await conn.execute(
        "UPDATE enrolments SET status = $2, cancelled_by = coalesce($3, cancelled_by),"
        " reason = coalesce($4, reason), updated_at = now()"
        " WHERE enrolment_id = ANY($1::uuid[])",
        [UUID(str(i)) for i in enrolment_ids],
        status,
        cancelled_by,
        reason,
    )


_ENROLMENT_SELECT = """
    SELECT e.enrolment_id, e.course_id, e.learner_id, e.status, e.source, e.placement_id,
           e.reason_code, e.reason, e.cancelled_by, e.requested_at, e.updated_at,
           CASE WHEN e.status = 'waitlisted' THEN (
               SELECT count(*) FROM enrolments w
                WHERE w.course_id = e.course_id AND w.status = 'waitlisted' AND w.seq <= e.seq)
           END AS waitlist_position,
           c.provider_id, cert.certificate_id, e.contact::text AS contact, e.seq,
           e.offer_expires_at, e.offer_ended_at
      FROM enrolments e
      LEFT JOIN courses c ON c.course_id = e.course_id
      LEFT JOIN certificates cert ON cert.enrolment_id = e.enrolment_id
"""


async def get_enrolment(conn: Connection, enrolment_id: UUID) -> EnrolmentRow | None:
    row = await conn.fetchrow(_ENROLMENT_SELECT + " WHERE e.enrolment_id = $1", enrolment_id)
    return EnrolmentRow(**dict(row)) if row else None


async def enrolments_of_learner(
    conn: Connection, learner_id: str, *, after: int | None = None, limit: int | None = None
) -> list[EnrolmentRow]:
    """A learner's enrolments in arrival order; after `after` (a seq), up to `limit`."""
    rows = await conn.fetch(
        _ENROLMENT_SELECT + " WHERE e.learner_id = $1 AND ($2::bigint IS NULL OR e.seq > $2)"
        " ORDER BY e.seq LIMIT $3",
        learner_id,
        after,
        limit,
    )
    return [EnrolmentRow(**dict(r)) for r in rows]


async def enrolments_of_course(
    conn: Connection, course_id: str, *, after: int | None = None, limit: int | None = None
) -> list[EnrolmentRow]:
    """A course's enrolments in arrival order; after `after` (a seq), up to `limit`."""
    rows = await conn.fetch(
        _ENROLMENT_SELECT + " WHERE e.course_id = $1 AND ($2::bigint IS NULL OR e.seq > $2)"
        " ORDER BY e.seq LIMIT $3",
        course_id,
        after,
        limit,
    )
    return [EnrolmentRow(**dict(r)) for r in rows]


async def open_enrolments(conn: Connection, course_id: str) -> list[EnrolmentRow]:
    """Confirmed, offered and waitlisted enrolments of a course, in arrival order."""
    rows = await conn.fetch(
        _ENROLMENT_SELECT + " WHERE e.course_id = $1"
        " AND e.status IN ('confirmed', 'waitlisted', 'offered') ORDER BY e.seq",
        course_id,
    )
    return [EnrolmentRow(**dict(r)) for r in rows]


async def enrolments_by_id(conn: Connection, ids: Sequence[str]) -> list[EnrolmentRow]:
    rows = await conn.fetch(
        _ENROLMENT_SELECT + " WHERE e.enrolment_id = ANY($1::uuid[]) ORDER BY e.seq",
        [UUID(i) for i in ids],
    )
    return [EnrolmentRow(**dict(r)) for r in rows]


# --- certificates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateRow:
    certificate_id: str
    enrolment_id: UUID
    learner_id: str
    course_id: str
    provider_id: str
    kid: str
    credential: dict[str, Any]
    jwt: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    status_serial: int | None = None  # its bit in the status lists; None before those
    suspended_at: datetime | None = None
    suspension_reason: str | None = None


_CERTIFICATE_COLUMNS = (
    "certificate_id, enrolment_id, learner_id, course_id, provider_id, kid, credential, jwt,"
    " issued_at, revoked_at, revocation_reason, status_serial, suspended_at, suspension_reason"
)


def _certificate(row: Any) -> CertificateRow:
    values = dict(row)
    values["credential"] = json.loads(values["credential"])
    return CertificateRow(**values)


async def save_certificate(conn: Connection, cert: CertificateRow) -> None:
    await conn.execute(
        f"INSERT INTO certificates ({_CERTIFICATE_COLUMNS})"
        " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14)",
        cert.certificate_id,
        cert.enrolment_id,
        cert.learner_id,
        cert.course_id,
        cert.provider_id,
        cert.kid,
        json.dumps(cert.credential),
        cert.jwt,
        cert.issued_at,
        cert.revoked_at,
        cert.revocation_reason,
        cert.status_serial,
        cert.suspended_at,
        cert.suspension_reason,
    )


async def get_certificate(conn: Connection, certificate_id: str) -> CertificateRow | None:
    row = await conn.fetchrow(
        f"SELECT {_CERTIFICATE_COLUMNS} FROM certificates WHERE certificate_id = $1",
        certificate_id,
    )
    return _certificate(row) if row else None


async def certificates_of_learner(conn: Connection, learner_id: str) -> list[CertificateRow]:
    rows = await conn.fetch(
        f"SELECT {_CERTIFICATE_COLUMNS} FROM certificates WHERE learner_id = $1 ORDER BY issued_at",
        learner_id,
    )
    return [_certificate(r) for r in rows]


async def stored_signing_keys(conn: Connection) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT private_jwk FROM signing_keys ORDER BY created_at")
    return [json.loads(r["private_jwk"]) for r in rows]


async def store_signing_key_once(conn: Connection, kid: str, private_jwk: dict[str, Any]) -> None:
    """The first development key wins; instances starting at once agree on it."""
    await conn.execute("SELECT pg_advisory_xact_lock(7146002)")
    if await conn.fetchval("SELECT count(*) FROM signing_keys") == 0:
        await conn.execute(
            "INSERT INTO signing_keys (kid, private_jwk) VALUES ($1, $2::jsonb)",
            kid,
            json.dumps(private_jwk),
        )
