"""What the catalog does with each event it consumes; HANDLERS at the bottom is the whole flow."""

from __future__ import annotations

from datetime import UTC, datetime

from zll_contracts.payloads import CourseUpserted, CourseWithdrawn
from zll_contracts.topics import CATALOG_COURSES

from services.catalog import domain, store
from zll.platform.consumer import Handler, Message
from zll.platform.refusals import Problem, Refused
from zll.platform.unit_of_work import UnitOfWork

COURSE_PUBLISHED = "zll.catalog.course-published.v1"


async def upsert_course(uow: UnitOfWork, message: Message) -> None:
    course = message.payload
    assert isinstance(course, CourseUpserted)
    domain.check_sender(message.sender, course.provider_id)
    if not await store.provider_exists(uow.conn, course.provider_id):
        raise Refused(
            [Problem("provider_id", f"{course.provider_id!r} is not a registered provider")]
        )
    if not domain.supersedes(
        course.revision, await store.stored_revision(uow.conn, course.course_id)
    ):
        return
    published = domain.publish(course, datetime.now(UTC))
    await store.save_course(uow.conn, published)
    uow.publish(CATALOG_COURSES, COURSE_PUBLISHED, published, key=course.course_id)


async def withdraw_course(uow: UnitOfWork, message: Message) -> None:
    withdrawal = message.payload
    assert isinstance(withdrawal, CourseWithdrawn)
    domain.check_sender(message.sender, withdrawal.provider_id)
    # Withdrawal is completed in the catalog issue; the foundation only accepts the event type.


HANDLERS: dict[str, Handler] = {
    "zll.course.upserted.v1": upsert_course,
    "zll.course.withdrawn.v1": withdraw_course,
}
