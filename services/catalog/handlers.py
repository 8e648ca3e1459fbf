"""What the catalog does with each event it consumes; HANDLERS at the bottom is the whole flow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from zll_contracts.payloads import CoursePublished, CourseUpserted, CourseWithdrawn

from services.catalog import domain, store
from zll.platform.consumer import Batched, Message, Refusals, handlers, on
from zll.platform.errors import Refused
from zll.platform.plain_text import check_plain_text
from zll.platform.unit_of_work import UnitOfWork


async def upsert_courses(
    uow: UnitOfWork, messages: Sequence[Message[CourseUpserted]]
) -> Refusals[CourseUpserted]:
    """A run of upserts in three queries: providers, stored revisions, one executemany."""
    pairs = [(m, m.payload) for m in messages]
    known = await store.registered(uow.conn, [course.provider_id for _, course in pairs])
    refused: list[tuple[Message[CourseUpserted], Refused]] = []
    valid: list[tuple[Message[CourseUpserted], CourseUpserted]] = []
    for message, course in pairs:
        try:
            domain.check_sender(message.sender, course.provider_id)
            domain.check_key(message.record.key, course.course_id)
            domain.check_registered(course.provider_id, course.provider_id in known)
            check_plain_text(course)
        except Refused as refusal:
            refused.append((message, refusal))
            continue
        valid.append((message, course))
    stored = await store.stored_revisions(uow.conn, [c.course_id for _, c in valid])
    now = datetime.now(UTC)
    flags = domain.accepted_upserts([c for _, c in valid], stored)
    accepted = [(m, domain.publish(c, now)) for (m, c), ok in zip(valid, flags, strict=True) if ok]
    latest: dict[str, tuple[CoursePublished, bytes]] = {}  # the last accepted state of each
    for message, published in accepted:
        record = uow.publish(published, key=published.course_id, caused_by=message)
        latest[published.course_id] = (published, record.value)
    await store.save_courses(uow.conn, list(latest.values()))
    return refused


async def withdraw_course(uow: UnitOfWork, message: Message[CourseWithdrawn]) -> None:
    withdrawal = message.payload
    domain.check_sender(message.sender, withdrawal.provider_id)
    domain.check_key(message.record.key, withdrawal.course_id)
    check_plain_text(withdrawal)
    stored = await store.stored_course(uow.conn, withdrawal.course_id)
    withdrawn = domain.withdraw(withdrawal, stored, datetime.now(UTC))
    if withdrawn is None:
        await store.record_revision(uow.conn, withdrawal.course_id, withdrawal.revision)
        return
    await store.save_withdrawal(uow.conn, withdrawn)
    uow.publish(withdrawn, key=withdrawn.course_id)


HANDLERS = handlers(
    on(CourseUpserted, Batched(upsert_courses)),
    on(CourseWithdrawn, withdraw_course),
)
