"""What the enrolment service does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from zll_contracts.payloads import CoursePublished, CourseWithdrawnFromCatalog

from services.enrolment import store
from zll.platform.consumer import Handler, Message
from zll.platform.unit_of_work import UnitOfWork


async def learn_course(uow: UnitOfWork, message: Message) -> None:
    course = message.payload
    assert isinstance(course, CoursePublished | CourseWithdrawnFromCatalog)
    status = "live" if isinstance(course, CoursePublished) else "withdrawn"
    await store.remember_course(
        uow.conn,
        store.KnownCourse(
            course.course_id,
            course.provider_id,
            course.revision,
            status,
            course.capacity,
            course.start_date,
            course.end_date,
        ),
    )


HANDLERS: dict[str, Handler] = {
    "zll.catalog.course-published.v1": learn_course,
    "zll.catalog.course-withdrawn.v1": learn_course,
}
