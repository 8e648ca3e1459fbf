"""What the cooperative learns from the region's topics: offers, participation, gaps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandGapDetected,
    EnrolmentCancelled,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentOfferDeclined,
    EnrolmentOfferExpired,
    EnrolmentWaitlisted,
    LearnerErasureRequested,
)
from zll_contracts.payloads.enrolments import EnrolmentOutcome

from services.cooperative import store
from zll.platform.consumer import Batched, Message, Refusals, erasure_handler, handlers, on
from zll.platform.unit_of_work import UnitOfWork


async def course_published(
    uow: UnitOfWork, messages: Sequence[Message[CoursePublished]]
) -> Refusals[CoursePublished]:
    await store.save_courses(uow.conn, [(m.payload, True) for m in messages])
    return []


async def course_withdrawn(
    uow: UnitOfWork, messages: Sequence[Message[CourseWithdrawnFromCatalog]]
) -> Refusals[CourseWithdrawnFromCatalog]:
    # A run at once, as published courses are: an import that withdraws a provider's
    # programme is one statement, not one a course.
    await store.save_courses(uow.conn, [(m.payload, False) for m in messages])
    return []


def _row(e: EnrolmentOutcome, status: str, *, waitlisted: bool = False) -> tuple[object, ...]:
    certified = isinstance(e, EnrolmentCertified)
    at = e.occurred_at
    return (e.enrolment_id, e.course_id, e.learner_id, status, waitlisted, int(certified),
            at if certified else None, at)  # fmt: skip


async def confirmed(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentConfirmed]]
) -> Refusals[EnrolmentConfirmed]:
    await store.record_participations(uow.conn, [_row(m.payload, "confirmed") for m in messages])
    return []


async def waitlisted(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentWaitlisted]]
) -> Refusals[EnrolmentWaitlisted]:
    rows = [_row(m.payload, "waitlisted", waitlisted=True) for m in messages]
    await store.record_participations(uow.conn, rows)
    return []


async def cancelled(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentCancelled]]
) -> Refusals[EnrolmentCancelled]:
    await store.record_participations(uow.conn, [_row(m.payload, "cancelled") for m in messages])
    return []


Ended = TypeVar("Ended", EnrolmentOfferDeclined, EnrolmentOfferExpired)


async def offer_ended(uow: UnitOfWork, messages: Sequence[Message[Ended]]) -> Refusals[Ended]:
    # A declined or expired seat offer ends the enrolment as a cancellation does: the learner
    # waited (counted in the pressure) and did not take part.
    await store.record_participations(uow.conn, [_row(m.payload, "cancelled") for m in messages])
    return []


async def certified(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentCertified]]
) -> Refusals[EnrolmentCertified]:
    await store.record_participations(uow.conn, [_row(m.payload, "certified") for m in messages])
    return []


async def gap_detected(uow: UnitOfWork, message: Message[DemandGapDetected]) -> None:
    await store.save_gap(uow.conn, message.payload.model_dump())


HANDLERS = handlers(
    on(CoursePublished, Batched(course_published)),
    on(CourseWithdrawnFromCatalog, Batched(course_withdrawn)),
    on(EnrolmentConfirmed, Batched(confirmed)),
    on(EnrolmentWaitlisted, Batched(waitlisted)),
    on(EnrolmentCancelled, Batched(cancelled)),
    on(EnrolmentOfferDeclined, Batched(offer_ended)),
    on(EnrolmentOfferExpired, Batched(offer_ended)),
    on(EnrolmentCertified, Batched(certified)),
    on(DemandGapDetected, gap_detected),
    on(LearnerErasureRequested, erasure_handler(store.erase_learner)),
)
