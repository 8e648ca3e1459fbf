"""Timed offers as transactions: a learner accepts or declines, a sweep ends those not taken.

Every path locks the course row first, as the ledger's other doors do, so an answer, an
expiry, a cancellation and a capacity change of one course are decided one after another.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID

import asyncpg
from zll_contracts.payloads import (
    EnrolmentConfirmed,
    EnrolmentOfferDeclined,
    EnrolmentOfferExpired,
    EnrolmentSource,
)

from services.enrolment import ledger, store, store_offers
from services.enrolment.domain import Status
from zll.platform.notified import NotifiedLoop
from zll.platform.unit_of_work import UnitOfWork

# Nobody announces a deadline: the sweep wakes every `idle_seconds` and looks.
CHANNEL = "zll_enrolment_offers"


class OfferClosed(Exception):
    """No open offer to answer: `status` is the enrolment's, `deadline` set when it lapsed."""

    def __init__(self, status: str, deadline: datetime | None = None) -> None:
        super().__init__(f"no open offer (enrolment is {status})")
        self.status = status
        self.deadline = deadline


def _now() -> datetime:
    return datetime.now(UTC)


async def _locked(uow: UnitOfWork, enrolment_id: UUID) -> store.EnrolmentRow | None:
    row = await store.get_enrolment(uow.conn, enrolment_id)
    if row is None:
        return None
    await store.lock_courses(uow.conn, [row.course_id])
    return await store.get_enrolment(uow.conn, enrolment_id)  # as it is under the lock


async def accept(uow: UnitOfWork, enrolment_id: UUID, today: date) -> store.EnrolmentRow | None:
    """The learner takes the held seat; accepting twice answers as the first time did."""
    row = await _locked(uow, enrolment_id)
    if row is None:
        return None
    if row.status == Status.CONFIRMED and row.offer_expires_at is not None:
        return row
    _check_open(row)
    course = await store.get_course(uow.conn, row.course_id)
    seats = await store.load_ledger(uow.conn, row.course_id, course, [], today)
    seats.accept()
    await store.set_status(uow.conn, [row.enrolment_id], Status.CONFIRMED.value)
    confirmed = EnrolmentConfirmed(
        enrolment_id=row.enrolment_id,
        course_id=row.course_id,
        learner_id=row.learner_id,
        occurred_at=_now(),
        source=EnrolmentSource(row.source),
        promoted_from_waitlist=True,
        placement_id=row.placement_id,
        **row.contact_fields(),
    )
    uow.publish(confirmed, key=row.course_id)
    return await store.get_enrolment(uow.conn, enrolment_id)


async def decline(
    uow: UnitOfWork, enrolment_id: UUID, reason: str | None, today: date
) -> store.EnrolmentRow | None:
    """The learner says no: the enrolment ends and the seat is offered to the next one."""
    row = await _locked(uow, enrolment_id)
    if row is None:
        return None
    if row.status == Status.DECLINED:
        return row
    _check_open(row)
    now = _now()
    await _pass_on(uow, [row], "declined", now, today, reason)
    return await store.get_enrolment(uow.conn, enrolment_id)


def _check_open(row: store.EnrolmentRow) -> None:
    if row.status != Status.OFFERED:
        raise OfferClosed(row.status)
    assert row.offer_expires_at is not None
    if row.offer_expires_at <= _now():
        # Past the deadline the seat is no longer the learner's, whether or not the sweep
        # has come by yet: a late answer cannot take it back from the next in line.
        raise OfferClosed(row.status, row.offer_expires_at)


async def _pass_on(
    uow: UnitOfWork,
    rows: list[store.EnrolmentRow],
    why: Literal["declined", "expired"],
    at: datetime,
    today: date,
    reason: str | None = None,
) -> None:
    """End the offers (their courses locked) and offer their seats down the lists, for
    every course at once: a sweep of thousands of offers stays a few statements."""
    courses = await store.lock_courses(uow.conn, [r.course_id for r in rows])  # ours already
    seats = await store_offers.load_ledgers(uow.conn, courses, today)
    moved: dict[str, list[str]] = {course_id: [] for course_id in seats}
    for row in rows:
        moved[row.course_id] += seats[row.course_id].pass_on(
            row.learner_id, str(row.enrolment_id), why, at
        )
    await store_offers.end_offers(uow.conn, [r.enrolment_id for r in rows], why, at)
    for row in rows:
        common = {
            "enrolment_id": row.enrolment_id,
            "course_id": row.course_id,
            "learner_id": row.learner_id,
            "occurred_at": at,
            **row.contact_fields(),
        }
        if why == "declined":
            uow.publish(EnrolmentOfferDeclined(**common, reason=reason), key=row.course_id)
        else:
            assert row.offer_expires_at is not None
            expired = EnrolmentOfferExpired(**common, offer_expires_at=row.offer_expires_at)
            uow.publish(expired, key=row.course_id)
    await ledger.move_up_in(uow, [(seats[c], ids) for c, ids in moved.items()])


async def expire_due(uow: UnitOfWork, *, courses: int = 200) -> int:
    """End every offer past its deadline in up to `courses` courses; returns how many.

    Courses another sweep (or a request) holds are skipped and come back next round; the
    offers are read again under the course lock, so each expiry happens exactly once.
    """
    now = _now()
    locked = await store_offers.lock_courses_with_offers_due(uow.conn, now, courses)
    if not locked:
        return 0
    due = await store_offers.offers_due(uow.conn, locked, now)
    rows = await store.enrolments_by_id(uow.conn, [str(d[0]) for d in due])
    if rows:
        rows.sort(key=lambda r: (r.offer_expires_at or now, r.seq))
        await _pass_on(uow, rows, "expired", now, now.date())
    return len(rows)


class OfferSweep:
    """Ends offers past their deadline, in batches of courses, until cancelled."""

    def __init__(
        self, pool: asyncpg.Pool, source: str, *, courses: int = 200, idle_seconds: float = 1.0
    ) -> None:
        self._pool = pool
        self._source = source
        self._courses = courses
        self._idle_seconds = idle_seconds

    async def sweep(self) -> int:
        """One batch in one transaction: the expiries and their events commit together."""
        async with self._pool.acquire() as conn, UnitOfWork.begin(conn, self._source) as uow:
            return await expire_due(uow, courses=self._courses)

    async def run(self) -> None:
        # A full batch (as many expiries as courses asked for, or more) sweeps again at once.
        await NotifiedLoop(
            self._pool,
            CHANNEL,
            self.sweep,
            batch_size=self._courses,
            idle_seconds=self._idle_seconds,
            name="offer sweep",
        ).run()
