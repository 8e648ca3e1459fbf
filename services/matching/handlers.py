"""What matching does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from zll_contracts.payloads import CoursePublished, CourseWithdrawnFromCatalog

from services.matching import store
from zll.platform.consumer import Handler, Message
from zll.platform.unit_of_work import UnitOfWork


async def learn_supply(uow: UnitOfWork, message: Message) -> None:
    course = message.payload
    assert isinstance(course, CoursePublished | CourseWithdrawnFromCatalog)
    await store.remember_supply(
        uow.conn,
        course_id=course.course_id,
        revision=course.revision,
        live=isinstance(course, CoursePublished),
        municipality=course.location.municipality if course.location else None,
        capacity=course.capacity,
        skills=sorted({skill for module in course.modules for skill in module.skills}),
    )


HANDLERS: dict[str, Handler] = {
    "zll.catalog.course-published.v1": learn_supply,
    "zll.catalog.course-withdrawn.v1": learn_supply,
}
