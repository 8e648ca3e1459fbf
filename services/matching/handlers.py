"""What matching does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandReported,
    EnrolmentCancelled,
    EnrolmentCertificateRevoked,
    EnrolmentCertificateSuspended,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentOfferDeclined,
    EnrolmentOffered,
    EnrolmentOfferExpired,
    EnrolmentRejected,
    EnrolmentWaitlisted,
    LearnerErasureRequested,
    OpportunityUpserted,
    OpportunityWithdrawn,
    RecognitionAnswered,
    RecognitionDeclarationRecorded,
    RecognitionRequested,
)

from services.matching import demand_service, erasure, store, store_counselling, store_credits
from services.matching.domain import standing
from zll.platform.consumer import Batched, Message, Refusals, erasure_handler, handlers, on
from zll.platform.errors import Problem, Refused
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.plain_text import check_plain_text
from zll.platform.unit_of_work import UnitOfWork

# A run is all published or all withdrawn (the consumer groups runs by event type).
CatalogEvent = TypeVar("CatalogEvent", CoursePublished, CourseWithdrawnFromCatalog)


def _supply(course: CoursePublished | CourseWithdrawnFromCatalog) -> store.Supply:
    return store.Supply(
        course_id=course.course_id,
        revision=course.revision,
        live=isinstance(course, CoursePublished),
        municipality=course.location.municipality if course.location else None,
        capacity=course.capacity,
        skills=sorted({skill for module in course.modules for skill in module.skills}),
    )


async def learn_supply(
    uow: UnitOfWork, messages: Sequence[Message[CatalogEvent]]
) -> Refusals[CatalogEvent]:
    """A run of catalog events: each course's supply row with its details, in one round trip
    however long the run."""
    courses = [(_supply(m.payload), m.payload.model_dump(mode="json")) for m in messages]
    await store_counselling.remember_courses(uow.conn, courses)
    return []


def _own(message: Message, partner_id: str) -> None:
    if message.sender is not None and message.sender != partner_id:
        raise Refused([Problem(
            "partner_id",
            "must be the sender's own id",
            f"Die Partner-Kennung muss die Ihre sein, „{message.sender}“; angegeben war "
            f"„{partner_id}“.",
            f"The partner id must be your own, \"{message.sender}\"; \"{partner_id}\" was "
            "given.",
        )])  # fmt: skip


def _not_yours(field: str) -> Problem:
    return Problem(
        field,
        "belongs to another partner",
        "Dieses Angebot gehört einem anderen Partner.",
        "This opportunity belongs to another partner.",
    )


def _unknown(field: str, uris: list[str]) -> list[Problem]:
    known = vocabulary().known
    return [
        Problem(
            f"{field}.{i}",
            f"{uri} is not in the ESCO vocabulary",
            f"„{uri}“ ist keine ESCO-Kompetenz oder -Beruf, die ZLL kennt.",
            f'"{uri}" is not an ESCO skill or occupation ZLL knows.',
        )
        for i, uri in enumerate(uris)
        if not known(uri)
    ]


async def learn_opportunity(uow: UnitOfWork, message: Message[OpportunityUpserted]) -> None:
    opportunity = message.payload
    _own(message, opportunity.partner_id)
    check_plain_text(opportunity)
    problems = _unknown("required_skills", opportunity.required_skills)
    if problems:
        raise Refused(problems)
    owner = await store_counselling.opportunity_owner(uow.conn, opportunity.opportunity_id)
    if owner not in (None, opportunity.partner_id):
        raise Refused([_not_yours("opportunity_id")])
    await store_counselling.upsert_opportunity(uow.conn, opportunity.model_dump())


async def forget_opportunity(uow: UnitOfWork, message: Message[OpportunityWithdrawn]) -> None:
    withdrawn = message.payload
    _own(message, withdrawn.partner_id)
    check_plain_text(withdrawn)
    owner = await store_counselling.opportunity_owner(uow.conn, withdrawn.opportunity_id)
    if owner not in (None, withdrawn.partner_id):
        raise Refused([_not_yours("opportunity_id")])
    await store_counselling.withdraw_opportunity(
        uow.conn, withdrawn.opportunity_id, withdrawn.partner_id, withdrawn.revision
    )


async def learn_demand(uow: UnitOfWork, message: Message[DemandReported]) -> None:
    report = message.payload
    _own(message, report.partner_id)
    check_plain_text(report)
    problems = _unknown("skill", [report.skill] if report.skill else []) + _unknown(
        "occupation", [report.occupation] if report.occupation else []
    )
    if problems:
        raise Refused(
            [
                Problem(p.field.removesuffix(".0"), p.message, p.message_de, p.message_en)
                for p in problems
            ]
        )
    await demand_service.report(uow, report, message.event.time)


async def learn_certificate(uow: UnitOfWork, message: Message[EnrolmentCertified]) -> None:
    certified = message.payload
    skills = await store_counselling.course_module_skills(
        uow.conn, certified.course_id, certified.modules
    )
    await store_counselling.remember_earned(
        uow.conn, certified.learner_id, skills, certified.certificate_id
    )
    await store_credits.remember_earned_modules(uow.conn, certified)


async def learn_revocation(uow: UnitOfWork, message: Message[EnrolmentCertificateRevoked]) -> None:
    """A revoked certificate's modules and skills no longer count for the learner."""
    revoked = message.payload
    before = await store_credits.standing_of(uow.conn, revoked.certificate_id)
    after = standing.revoked(before)
    await store_credits.save_standing(uow.conn, revoked.certificate_id, revoked.learner_id, after)


async def learn_suspension(
    uow: UnitOfWork, message: Message[EnrolmentCertificateSuspended]
) -> None:
    """A suspended certificate does not count while suspended; lifted, it counts again."""
    changed = message.payload
    before = await store_credits.standing_of(uow.conn, changed.certificate_id)
    after = standing.suspension(before, changed.suspended, changed.occurred_at)
    await store_credits.save_standing(uow.conn, changed.certificate_id, changed.learner_id, after)


async def learn_declaration(
    uow: UnitOfWork, message: Message[RecognitionDeclarationRecorded]
) -> None:
    """What a provider recognises for its module: counselling's pathways skip what it covers."""
    await store_credits.remember_declaration(uow.conn, message.payload)


async def learn_decision(uow: UnitOfWork, message: Message[RecognitionAnswered]) -> None:
    """The provider's decision on a learner's request: from now on it alone says what counts."""
    await store_credits.remember_decision(uow.conn, message.payload)


async def learn_waitlisted(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentWaitlisted]]
) -> Refusals[EnrolmentWaitlisted]:
    """A run of waitlistings: store them all, then check each course's gaps once."""
    entries = [m.payload for m in messages]
    await store_counselling.waitlisted_many(
        uow.conn, [(e.enrolment_id, e.course_id, e.learner_id, e.occurred_at) for e in entries]
    )
    for course_id in dict.fromkeys(e.course_id for e in entries):
        await demand_service.recheck_course(uow, course_id)
    return []


async def learn_left_waitlist(
    uow: UnitOfWork,
    message: Message[
        EnrolmentConfirmed
        | EnrolmentCancelled
        | EnrolmentRejected
        | EnrolmentOfferDeclined
        | EnrolmentOfferExpired
    ],
) -> None:
    outcome = message.payload
    await store_counselling.left_waitlist(uow.conn, outcome.enrolment_id)


HANDLERS = handlers(
    on(CoursePublished, Batched(learn_supply)),
    on(CourseWithdrawnFromCatalog, Batched(learn_supply)),
    on(OpportunityUpserted, learn_opportunity),
    on(OpportunityWithdrawn, forget_opportunity),
    on(DemandReported, learn_demand),
    on(EnrolmentCertified, learn_certificate),
    on(EnrolmentCertificateRevoked, learn_revocation),
    on(EnrolmentCertificateSuspended, learn_suspension),
    on(RecognitionDeclarationRecorded, learn_declaration),
    on(RecognitionAnswered, learn_decision),
    on(EnrolmentWaitlisted, Batched(learn_waitlisted)),
    on(EnrolmentConfirmed, learn_left_waitlist),
    on(EnrolmentCancelled, learn_left_waitlist),
    on(EnrolmentRejected, learn_left_waitlist),
    # A timed offer declined or expired ends the enrolment; one still open keeps it waiting.
    on(EnrolmentOfferDeclined, learn_left_waitlist),
    on(EnrolmentOfferExpired, learn_left_waitlist),
    on(LearnerErasureRequested, erasure_handler(erasure.erase)),
)
# An open timed offer is still a learner waiting for the course, until they accept.
# A recognition request changes nothing until the provider answers it.
IGNORES = (EnrolmentOffered, RecognitionRequested)
