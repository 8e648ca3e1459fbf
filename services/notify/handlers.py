"""What notify does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandGapDetected,
    EnrolmentCancelled,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentOfferDeclined,
    EnrolmentOffered,
    EnrolmentOfferExpired,
    EnrolmentRejected,
    EnrolmentWaitlisted,
    FeedbackRejected,
    ImportReported,
    LearnerErasureRequested,
    PlacementAccepted,
    PlacementDeclined,
    PlacementProposed,
    ProjectMemberAnswered,
    ProjectMemberInvited,
    ProjectStateChanged,
    RecognitionAnswered,
    RecognitionDeclarationRecorded,
    RecognitionRequested,
)
from zll_contracts.payloads.courses import CourseState
from zll_contracts.payloads.enrolments import EnrolmentOutcome

from services.notify import domain, erasure, store, texts
from services.notify.config import notify_settings
from services.notify.domain import CourseFacts, Notice, Reach
from zll.platform.consumer import Batched, Message, Refusals, erasure_handler, handlers, on
from zll.platform.unit_of_work import UnitOfWork


async def tell(uow: UnitOfWork, caused: Sequence[tuple[Message[BaseModel], list[Notice]]]) -> None:
    """Route each notice by its recipient's preferences, render it, record it once."""
    notices = [(m, n) for m, ns in caused for n in ns]
    reach = await store.reach(uow.conn, {n.recipient for _, n in notices})
    outgoing = []
    for message, notice in notices:
        routed = domain.route(notice, reach.get(notice.recipient, Reach()))
        if routed is not None:
            text = texts.render(notice.kind, routed.locale, notice.data)
            outgoing.append(store.Outgoing(message.event.source, message.event.id, routed, text))
    await store.add_notifications(uow.conn, outgoing)


async def _learn_contacts(uow: UnitOfWork, events: Sequence[EnrolmentOutcome]) -> None:
    contacts = [(e.learner_id, e.contact_email, e.locale) for e in events]
    await store.remember_contacts(uow.conn, [c for c in contacts if c[1] or c[2]])


async def _enrolment_context(
    uow: UnitOfWork, events: Sequence[EnrolmentOutcome], *, holds_place: bool
) -> dict[str, CourseFacts]:
    """Remember contacts and who sits where; return what we know of the courses."""
    await _learn_contacts(uow, events)
    rows = [(str(e.enrolment_id), e.course_id, e.learner_id) for e in events]
    if holds_place:
        await store.remember_enrolled(uow.conn, rows)
    else:
        await store.forget_enrolled(uow.conn, [r[0] for r in rows])
    return await store.courses(uow.conn, (e.course_id for e in events))


async def enrolment_confirmed(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentConfirmed]]
) -> Refusals[EnrolmentConfirmed]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=True)
    await tell(uow, [
        (m, domain.enrolment_confirmed(str(e.enrolment_id), e.course_id, e.learner_id,
                                       e.promoted_from_waitlist, known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def enrolment_waitlisted(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentWaitlisted]]
) -> Refusals[EnrolmentWaitlisted]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=True)
    await tell(uow, [
        (m, domain.enrolment_waitlisted(str(e.enrolment_id), e.course_id, e.learner_id,
                                        e.waitlist_position, known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def enrolment_cancelled(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentCancelled]]
) -> Refusals[EnrolmentCancelled]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=False)
    await tell(uow, [
        (m, domain.enrolment_cancelled(str(e.enrolment_id), e.course_id, e.learner_id,
                                       str(e.cancelled_by), e.reason, known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def offer_made(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentOffered]]
) -> Refusals[EnrolmentOffered]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=True)
    base = notify_settings().enrolment_url
    await tell(uow, [
        (m, domain.offer_made(str(e.enrolment_id), e.course_id, e.learner_id, e.offer_expires_at,
                              known.get(e.course_id), base))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def offer_declined(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentOfferDeclined]]
) -> Refusals[EnrolmentOfferDeclined]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=False)
    await tell(uow, [
        (m, domain.offer_declined(str(e.enrolment_id), e.course_id, e.learner_id,
                                  known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def offer_expired(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentOfferExpired]]
) -> Refusals[EnrolmentOfferExpired]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=False)
    await tell(uow, [
        (m, domain.offer_expired(str(e.enrolment_id), e.course_id, e.learner_id,
                                 known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def certificate_issued(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentCertified]]
) -> Refusals[EnrolmentCertified]:
    events = [m.payload for m in messages]
    known = await _enrolment_context(uow, events, holds_place=False)
    base = notify_settings().enrolment_url
    await tell(uow, [
        (m, domain.certificate_issued(str(e.enrolment_id), e.course_id, e.learner_id,
                                      e.certificate_id, e.modules, known.get(e.course_id),
                                      f"{base}/certificates/{e.certificate_id}"))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def recognition_requested(
    uow: UnitOfWork, messages: Sequence[Message[RecognitionRequested]]
) -> Refusals[RecognitionRequested]:
    events = [m.payload for m in messages]
    known = await store.courses(uow.conn, (e.course_id for e in events))
    await tell(uow, [
        (m, domain.recognition_requested(str(e.request_id), e.course_id, e.learner_id,
                                         e.reasons, known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def recognition_answered(
    uow: UnitOfWork, messages: Sequence[Message[RecognitionAnswered]]
) -> Refusals[RecognitionAnswered]:
    events = [m.payload for m in messages]
    contacts = [(e.learner_id, e.contact_email, e.locale) for e in events]
    await store.remember_contacts(uow.conn, [c for c in contacts if c[1] or c[2]])
    known = await store.courses(uow.conn, (e.course_id for e in events))
    await tell(uow, [
        (m, domain.recognition_answered(str(e.request_id), e.course_id, e.learner_id,
                                        str(e.outcome), e.modules, e.reason,
                                        known.get(e.course_id)))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def placement_proposed(
    uow: UnitOfWork, messages: Sequence[Message[PlacementProposed]]
) -> Refusals[PlacementProposed]:
    events = [m.payload for m in messages]
    known = await store.courses(uow.conn, (e.offer_id for e in events))
    base = notify_settings().matching_url
    await tell(uow, [
        (m, domain.placement_proposed(e.placement_id, e.learner_id, e.offer_id, str(e.offer_kind),
                                      known.get(e.offer_id),
                                      f"{base}/placements/{e.placement_id}/accept",
                                      f"{base}/placements/{e.placement_id}/decline"))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


def course_facts(course: CourseState) -> CourseFacts:
    place = None
    if course.location is not None and str(course.format) != "online":
        where = " ".join(p for p in (course.location.postcode, course.location.municipality) if p)
        place = ", ".join(p for p in (course.location.street, where) if p)
    skills = frozenset(s for module in course.modules for s in module.skills)
    return CourseFacts(
        course.course_id, course.provider_id, course.title, course.start_date, course.end_date,
        place, skills, course.revision,
    )  # fmt: skip


async def course_published(
    uow: UnitOfWork, messages: Sequence[Message[CoursePublished]]
) -> Refusals[CoursePublished]:
    """Remember the course; tell its learners when its dates or place changed."""
    events = [m.payload for m in messages]
    ids = [e.course_id for e in events]
    known, learners = await store.courses(uow.conn, ids), await store.learners_in(uow.conn, ids)
    caused: list[tuple[Message[BaseModel], list[Notice]]] = []
    latest: dict[str, CourseFacts] = {}
    for message, event in zip(messages, events, strict=True):
        after, before = course_facts(event), latest.get(event.course_id, known.get(event.course_id))
        if before is not None and after.revision <= before.revision:
            continue  # a stale or repeated revision changes nothing
        caused.append(
            (message, domain.course_changed(before, after, learners.get(after.course_id, ())))
        )
        latest[after.course_id] = after
    await store.save_courses(uow.conn, list(latest.values()), [False] * len(latest))
    await tell(uow, caused)
    return []


async def course_withdrawn(
    uow: UnitOfWork, messages: Sequence[Message[CourseWithdrawnFromCatalog]]
) -> Refusals[CourseWithdrawnFromCatalog]:
    """Learners hear of it through their cancellations; a withdrawn course teaches no one."""
    facts = [course_facts(m.payload) for m in messages]
    await store.save_courses(uow.conn, facts, [True] * len(facts))
    return []


async def demand_gap_detected(
    uow: UnitOfWork, messages: Sequence[Message[DemandGapDetected]]
) -> Refusals[DemandGapDetected]:
    events = [m.payload for m in messages]
    teaching = await store.teachers(uow.conn, (e.skill for e in events if e.skill))
    await tell(uow, [
        (m, domain.demand_gap(e.skill, e.occupation, e.municipality, str(e.horizon), e.demand,
                              e.supply, e.gap, teaching.get(e.skill or "", ())))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def feedback_rejected(
    uow: UnitOfWork, messages: Sequence[Message[FeedbackRejected]]
) -> Refusals[FeedbackRejected]:
    events = [m.payload for m in messages]
    await tell(uow, [
        (m, domain.feedback_rejected(e.provider_id, e.original_ce_id, e.topic,
                                     [err.model_dump() for err in e.errors],
                                     e.subject.model_dump() if e.subject else None))
        for m, e in zip(messages, events, strict=True)
    ])  # fmt: skip
    return []


async def project_member_invited(
    uow: UnitOfWork, messages: Sequence[Message[ProjectMemberInvited]]
) -> Refusals[ProjectMemberInvited]:
    base = notify_settings().cooperative_url
    await tell(uow, [
        (m, domain.project_invited(e.provider_id, e.project_id, e.title,
                                   [p.model_dump(mode="json") for p in e.parts], e.reasons,
                                   f"{base}/projects/{e.project_id}/answers"))
        for m, e in ((m, m.payload) for m in messages)
    ])  # fmt: skip
    return []


async def import_reported(
    uow: UnitOfWork, messages: Sequence[Message[ImportReported]]
) -> Refusals[ImportReported]:
    await tell(uow, [
        (m, domain.import_reported(m.payload.provider_id,
                                   m.payload.model_dump(mode="json", exclude={"provider_id"})))
        for m in messages
    ])  # fmt: skip
    return []


# Notify never refuses (it reads service topics only): every handler returns no refusals.
HANDLERS = handlers(
    on(EnrolmentConfirmed, Batched(enrolment_confirmed)),
    on(EnrolmentWaitlisted, Batched(enrolment_waitlisted)),
    on(EnrolmentCancelled, Batched(enrolment_cancelled)),
    on(EnrolmentCertified, Batched(certificate_issued)),
    on(EnrolmentOffered, Batched(offer_made)),
    on(EnrolmentOfferDeclined, Batched(offer_declined)),
    on(EnrolmentOfferExpired, Batched(offer_expired)),
    on(RecognitionRequested, Batched(recognition_requested)),
    on(RecognitionAnswered, Batched(recognition_answered)),
    on(PlacementProposed, Batched(placement_proposed)),
    on(CoursePublished, Batched(course_published)),
    on(CourseWithdrawnFromCatalog, Batched(course_withdrawn)),
    on(DemandGapDetected, Batched(demand_gap_detected)),
    on(FeedbackRejected, Batched(feedback_rejected)),
    on(ProjectMemberInvited, Batched(project_member_invited)),
    on(ImportReported, Batched(import_reported)),
    on(LearnerErasureRequested, erasure_handler(erasure.erase)),
)
# A rejected request, and a placement's answer, were the learner's own doing: nothing to tell.
# A project's state and a member's answer are read at the cooperative, not announced.
# A provider's recognition declaration concerns no learner yet (counselling plans with it).
IGNORES = (
    EnrolmentRejected,
    RecognitionDeclarationRecorded,
    PlacementAccepted,
    PlacementDeclined,
    ProjectStateChanged,
    ProjectMemberAnswered,
)
