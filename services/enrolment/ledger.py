"""Seat decisions as transactions: lock the course, ask the domain, write rows and events.

Both entry points (partner and placement events, HTTP) go through these functions, so a seat
is decided the same way whichever door the request came in by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from zll_contracts.payloads import (
    CancelledBy,
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentOffered,
    EnrolmentRejected,
    EnrolmentSource,
    EnrolmentWaitlisted,
    RejectionReason,
)

from services.enrolment import store, store_batches, store_offers
from services.enrolment.domain import Ledger, Status, offer_deadline
from zll.platform.unit_of_work import Cause, UnitOfWork


@dataclass(frozen=True, slots=True)
class Request:
    """One request for a seat, from any door."""

    enrolment_id: UUID
    course_id: str
    learner_id: str
    source: EnrolmentSource
    requested_at: datetime
    placement_id: str | None = None
    contact: dict[str, Any] | None = None
    # Whose trace the decision's event continues (an HTTP request decided in a batch);
    # None: the current span's.
    cause: Cause | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    enrolment_id: UUID
    status: Status
    waitlist_position: int | None = None
    reason_code: RejectionReason | None = None
    reason: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def enrol(uow: UnitOfWork, requests: Sequence[Request], today: date) -> list[Outcome]:
    """Decide each new request in order; an enrolment_id seen before has no second effect."""
    if not requests:
        return []
    # Lock first, then look for duplicates: a concurrent twin has committed by then.
    courses = await store.lock_courses(uow.conn, [r.course_id for r in requests])
    known = await store.known_enrolment_ids(uow.conn, [r.enrolment_id for r in requests])
    fresh: dict[UUID, Request] = {}
    for request in requests:
        if request.enrolment_id not in known:
            fresh.setdefault(request.enrolment_id, request)
    learners: dict[str, list[str]] = {}
    for request in fresh.values():
        learners.setdefault(request.course_id, []).append(request.learner_id)
    ledgers = await store_batches.ledgers_for_requests(uow.conn, courses, learners, today)
    outcomes, rows = [], []
    for request in fresh.values():
        ledger = ledgers[request.course_id]
        decision, position = ledger.request(request.learner_id, str(request.enrolment_id))
        outcome = Outcome(
            request.enrolment_id, decision.status, position, decision.reason_code, decision.reason
        )
        outcomes.append(outcome)
        rows.append(_row(request, outcome))
        _announce_decision(uow, request, outcome)
    await store.insert_enrolments(uow.conn, rows)
    return outcomes


def _row(request: Request, outcome: Outcome) -> store.NewEnrolment:
    return store.NewEnrolment(
        enrolment_id=request.enrolment_id,
        course_id=request.course_id,
        learner_id=request.learner_id,
        status=outcome.status.value,
        source=request.source.value,
        requested_at=request.requested_at,
        placement_id=request.placement_id,
        reason_code=outcome.reason_code.value if outcome.reason_code else None,
        reason=outcome.reason,
        contact=request.contact,
    )


def _announce_decision(uow: UnitOfWork, request: Request, outcome: Outcome) -> None:
    common: dict[str, Any] = {
        "enrolment_id": request.enrolment_id,
        "course_id": request.course_id,
        "learner_id": request.learner_id,
        "occurred_at": _now(),
        **store.contact_fields(request.contact),
    }
    key, cause = request.course_id, request.cause
    if outcome.status is Status.CONFIRMED:
        confirmed = EnrolmentConfirmed(
            **common, source=request.source, placement_id=request.placement_id
        )
        uow.publish(confirmed, key=key, caused_by=cause)
    elif outcome.status is Status.WAITLISTED:
        assert outcome.waitlist_position is not None
        reason = None
        if request.source is EnrolmentSource.PLACEMENT:
            reason = (
                "The seat reserved for this placement was taken meanwhile; "
                "the learner is on the waitlist instead."
            )
        waitlisted = EnrolmentWaitlisted(
            **common,
            waitlist_position=outcome.waitlist_position,
            source=request.source,
            placement_id=request.placement_id,
            reason=reason,
        )
        uow.publish(waitlisted, key=key, caused_by=cause)
    else:
        assert outcome.reason_code is not None
        assert outcome.reason is not None
        rejected = EnrolmentRejected(
            **common, reason_code=outcome.reason_code, reason=outcome.reason
        )
        uow.publish(rejected, key=key, caused_by=cause)


async def cancel(
    uow: UnitOfWork,
    enrolment_id: UUID,
    cancelled_by: CancelledBy,
    reason: str | None,
    today: date,
) -> store.EnrolmentRow | None:
    """End a live enrolment and give a freed seat to the earliest waitlisted one.

    Returns the enrolment as it is afterwards; one that is not live is left as it was.
    """
    row = await store.get_enrolment(uow.conn, enrolment_id)
    if row is None:
        return None
    courses = await store.lock_courses(uow.conn, [row.course_id])
    row = await store.get_enrolment(uow.conn, enrolment_id)  # as it is under the lock
    assert row is not None
    if row.status not in (Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED):
        return row
    ledger = await store.load_ledger(uow.conn, row.course_id, courses.get(row.course_id), [], today)
    promoted = ledger.release(
        row.learner_id,
        str(row.enrolment_id),
        held_seat=row.status == Status.CONFIRMED,
        held_offer=row.status == Status.OFFERED,
    )
    await _cancel_rows(uow, [row], cancelled_by, reason)
    await move_up(uow, ledger, promoted)
    return await store.get_enrolment(uow.conn, enrolment_id)


async def course_changed(uow: UnitOfWork, course_id: str, today: date) -> None:
    """After the catalog changed a course: a withdrawal cancels, more seats promote."""
    course = (await store.lock_courses(uow.conn, [course_id])).get(course_id)
    if course is None:
        return
    if course.status == "withdrawn":
        rows = await store.open_enrolments(uow.conn, course_id)
        await _cancel_rows(uow, rows, CancelledBy.WITHDRAWAL, "The course was withdrawn.")
        return
    ledger = await store.load_ledger(uow.conn, course_id, course, [], today)
    await move_up(uow, ledger, ledger.fill_free_seats())


async def _cancel_rows(
    uow: UnitOfWork,
    rows: Sequence[store.EnrolmentRow],
    cancelled_by: CancelledBy,
    reason: str | None,
) -> None:
    await store.set_status(
        uow.conn,
        [r.enrolment_id for r in rows],
        Status.CANCELLED.value,
        cancelled_by=cancelled_by.value,
        reason=reason,
    )
    for row in rows:
        cancelled = EnrolmentCancelled(
            enrolment_id=row.enrolment_id,
            course_id=row.course_id,
            learner_id=row.learner_id,
            occurred_at=_now(),
            cancelled_by=cancelled_by,
            **row.contact_fields(),
            reason=reason,
        )
        uow.publish(cancelled, key=row.course_id)


async def move_up(uow: UnitOfWork, ledger: Ledger, enrolment_ids: Sequence[str]) -> None:
    """Waitlisted enrolments the ledger moved up: offered a seat where the course offers,
    confirmed otherwise."""
    await move_up_in(uow, [(ledger, enrolment_ids)])


async def move_up_in(uow: UnitOfWork, moves: Sequence[tuple[Ledger, Sequence[str]]]) -> None:
    """`move_up` for several courses at once, in one statement per deadline."""
    await _promote(uow, [e for ledger, ids in moves if not ledger.offering for e in ids])
    by_deadline: dict[datetime, list[str]] = {}
    now = _now()
    for ledger, ids in moves:
        course = ledger.course
        if ids and course is not None and course.offer_hours is not None:
            deadline = offer_deadline(now, course.offer_hours, course.start_date)
            by_deadline.setdefault(deadline, []).extend(ids)
    for deadline, ids in by_deadline.items():
        await _offer(uow, ids, deadline)


async def _offer(uow: UnitOfWork, enrolment_ids: Sequence[str], deadline: datetime) -> None:
    """Hold a seat for each, until a deadline kept in the database (it outlives restarts)."""
    await store_offers.make_offers(uow.conn, enrolment_ids, deadline)
    for row in await store.enrolments_by_id(uow.conn, enrolment_ids):
        offered = EnrolmentOffered(
            enrolment_id=row.enrolment_id,
            course_id=row.course_id,
            learner_id=row.learner_id,
            occurred_at=_now(),
            offer_expires_at=deadline,
            source=EnrolmentSource(row.source),
            placement_id=row.placement_id,
            **row.contact_fields(),
        )
        uow.publish(offered, key=row.course_id)


async def _promote(uow: UnitOfWork, enrolment_ids: Sequence[str]) -> None:
    """Waitlisted enrolments that got a seat: confirm them, first come first served."""
    if not enrolment_ids:
        return
    await store.set_status(uow.conn, enrolment_ids, Status.CONFIRMED.value)
    for row in await store.enrolments_by_id(uow.conn, enrolment_ids):
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
