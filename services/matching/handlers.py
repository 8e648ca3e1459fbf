"""What matching does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from collections.abc import Sequence

from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandReported,
    EnrolmentCancelled,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentRejected,
    EnrolmentWaitlisted,
    OpportunityUpserted,
    OpportunityWithdrawn,
)

from services.matching import demand_service, erasure, store, store_counselling
from services.matching.vocabulary import vocabulary
from zll.platform.consumer import Batched, Handler, Message
from zll.platform.errors import Problem, Refused
from zll.platform.plain_text import check_plain_text
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
    await store_counselling.remember_course(
        uow.conn, course.course_id, course.model_dump(mode="json")
    )


def _own(message: Message, partner_id: str) -> None:
    if message.sender is not None and message.sender != partner_id:
        raise Refused.because("partner_id", "must be the sender's own id")


def _unknown(field: str, uris: list[str]) -> list[Problem]:
    known = vocabulary().known
    return [
        Problem(f"{field}.{i}", f"{uri} is not in the ESCO vocabulary")
        for i, uri in enumerate(uris)
        if not known(uri)
    ]


async def learn_opportunity(uow: UnitOfWork, message: Message) -> None:
    opportunity = message.payload
    assert isinstance(opportunity, OpportunityUpserted)
    _own(message, opportunity.partner_id)
    check_plain_text(opportunity)
    problems = _unknown("required_skills", opportunity.required_skills)
    if problems:
        raise Refused(problems)
    owner = await store_counselling.opportunity_owner(uow.conn, opportunity.opportunity_id)
    if owner not in (None, opportunity.partner_id):
        raise Refused.because("opportunity_id", "belongs to another partner")
    await store_counselling.upsert_opportunity(uow.conn, opportunity.model_dump())


async def forget_opportunity(uow: UnitOfWork, message: Message) -> None:
    withdrawn = message.payload
    assert isinstance(withdrawn, OpportunityWithdrawn)
    _own(message, withdrawn.partner_id)
    check_plain_text(withdrawn)
    owner = await store_counselling.opportunity_owner(uow.conn, withdrawn.opportunity_id)
    if owner not in (None, withdrawn.partner_id):
        raise Refused.because("opportunity_id", "belongs to another partner")
    await store_counselling.withdraw_opportunity(
        uow.conn, withdrawn.opportunity_id, withdrawn.partner_id, withdrawn.revision
    )


async def learn_demand(uow: UnitOfWork, message: Message) -> None:
    report = message.payload
    assert isinstance(report, DemandReported)
    _own(message, report.partner_id)
    check_plain_text(report)
    problems = _unknown("skill", [report.skill] if report.skill else []) + _unknown(
        "occupation", [report.occupation] if report.occupation else []
    )
    if problems:
        raise Refused([Problem(p.field.removesuffix(".0"), p.message) for p in problems])
    await demand_service.report(uow, report, message.event.time)


async def learn_certificate(uow: UnitOfWork, message: Message) -> None:
    certified = message.payload
    assert isinstance(certified, EnrolmentCertified)
    skills = await store_counselling.course_module_skills(
        uow.conn, certified.course_id, certified.modules
    )
    await store_counselling.remember_earned(
        uow.conn, certified.learner_id, skills, certified.certificate_id
    )


async def learn_waitlisted(
    uow: UnitOfWork, messages: Sequence[Message]
) -> list[tuple[Message, Refused]]:
    """A run of waitlistings: store them all, then check each course's gaps once."""
    entries = [m.payload for m in messages if isinstance(m.payload, EnrolmentWaitlisted)]
    await store_counselling.waitlisted_many(
        uow.conn, [(e.enrolment_id, e.course_id, e.learner_id, e.occurred_at) for e in entries]
    )
    for course_id in dict.fromkeys(e.course_id for e in entries):
        await demand_service.recheck_course(uow, course_id)
    return []


async def learn_left_waitlist(uow: UnitOfWork, message: Message) -> None:
    outcome = message.payload
    assert isinstance(outcome, EnrolmentConfirmed | EnrolmentCancelled | EnrolmentRejected)
    await store_counselling.left_waitlist(uow.conn, outcome.enrolment_id)


HANDLERS: dict[str, Handler | Batched] = {
    "zll.catalog.course-published.v1": learn_supply,
    "zll.catalog.course-withdrawn.v1": learn_supply,
    "zll.opportunity.upserted.v1": learn_opportunity,
    "zll.opportunity.withdrawn.v1": forget_opportunity,
    "zll.demand.reported.v1": learn_demand,
    "zll.enrolment.certified.v1": learn_certificate,
    "zll.enrolment.waitlisted.v1": Batched(learn_waitlisted),
    "zll.enrolment.confirmed.v1": learn_left_waitlist,
    "zll.enrolment.cancelled.v1": learn_left_waitlist,
    "zll.enrolment.rejected.v1": learn_left_waitlist,
    "zll.learner.erasure-requested.v1": erasure.erase_learner,
}
