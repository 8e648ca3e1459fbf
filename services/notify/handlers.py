"""What notify does with each event it consumes; HANDLERS is the whole flow.

Every kind that only tells goes one path (`telling`): look up what the run of events needs in
a few queries, turn each event into notices (the domain decides who hears what), route and
record them once (`tell`). Per kind there is only what differs: the look-up and the notices.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from pydantic import BaseModel
from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandGapDetected,
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
from zll_contracts.payloads.recognition import RecognitionAnnouncement

from services.notify import domain, erasure, store, texts
from services.notify.config import notify_settings
from services.notify.domain import CourseFacts, Notice, Reach
from zll.platform.consumer import Batched, Message, Refusals, erasure_handler, handlers, on
from zll.platform.unit_of_work import UnitOfWork

E = TypeVar("E", bound=BaseModel)
K = TypeVar("K")
Courses = Mapping[str, CourseFacts]


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


def telling(
    look_up: Callable[[UnitOfWork, Sequence[E]], Awaitable[K]],
    notices: Callable[[E, K], list[Notice]],
) -> Batched[E]:
    """The one path of every kind that only tells: one look-up for the whole run, then each
    event's notices. Notify never refuses (it reads service topics only)."""

    async def apply(uow: UnitOfWork, messages: Sequence[Message[E]]) -> Refusals[E]:
        known = await look_up(uow, [m.payload for m in messages])
        await tell(uow, [(m, notices(m.payload, known)) for m in messages])
        return []

    return Batched(apply)


# What a run needs looked up (and remembered) before anyone is told.


class _Reachable(Protocol):
    @property
    def learner_id(self) -> str: ...
    @property
    def contact_email(self) -> str | None: ...
    @property
    def locale(self) -> str | None: ...


async def _learn_contacts(uow: UnitOfWork, events: Sequence[_Reachable]) -> None:
    contacts = [(e.learner_id, e.contact_email, e.locale) for e in events]
    await store.remember_contacts(uow.conn, [c for c in contacts if c[1] or c[2]])


async def _seated(uow: UnitOfWork, events: Sequence[EnrolmentOutcome]) -> Courses:
    """The learners hold a seat, a waitlist place or a held offer: remember who sits where
    (a moved course reaches them) and how to reach them."""
    await _learn_contacts(uow, events)
    rows = [(str(e.enrolment_id), e.course_id, e.learner_id) for e in events]
    await store.remember_enrolled(uow.conn, rows)
    return await store.courses(uow.conn, (e.course_id for e in events))


async def _unseated(uow: UnitOfWork, events: Sequence[EnrolmentOutcome]) -> Courses:
    """The learners' place ended (cancelled, declined, expired, completed): a moved course
    no longer concerns them."""
    await _learn_contacts(uow, events)
    await store.forget_enrolled(uow.conn, [str(e.enrolment_id) for e in events])
    return await store.courses(uow.conn, (e.course_id for e in events))


async def _reachable(uow: UnitOfWork, events: Sequence[EnrolmentOutcome]) -> Courses:
    """Events about a learner after the course (a certificate's status): how to reach them."""
    await _learn_contacts(uow, events)
    return await store.courses(uow.conn, (e.course_id for e in events))


async def _courses(uow: UnitOfWork, events: Sequence[RecognitionAnnouncement]) -> Courses:
    return await store.courses(uow.conn, (e.course_id for e in events))


async def _reached(uow: UnitOfWork, events: Sequence[RecognitionAnswered]) -> Courses:
    await _learn_contacts(uow, events)
    return await _courses(uow, events)


async def _offered_courses(uow: UnitOfWork, events: Sequence[PlacementProposed]) -> Courses:
    return await store.courses(uow.conn, (e.offer_id for e in events))


async def _teachers(uow: UnitOfWork, events: Sequence[DemandGapDetected]) -> Mapping[str, set[str]]:
    return await store.teachers(uow.conn, (e.skill for e in events if e.skill))


async def _nothing(uow: UnitOfWork, events: Sequence[BaseModel]) -> None:
    return None


# Who hears what of each event: the contract's fields, handed to the domain.


def _confirmed(e: EnrolmentConfirmed, known: Courses) -> list[Notice]:
    return domain.enrolment_confirmed(str(e.enrolment_id), e.course_id, e.learner_id,
                                      e.promoted_from_waitlist, known.get(e.course_id))  # fmt: skip


def _waitlisted(e: EnrolmentWaitlisted, known: Courses) -> list[Notice]:
    return domain.enrolment_waitlisted(str(e.enrolment_id), e.course_id, e.learner_id,
                                       e.waitlist_position, known.get(e.course_id))  # fmt: skip


def _cancelled(e: EnrolmentCancelled, known: Courses) -> list[Notice]:
    return domain.enrolment_cancelled(str(e.enrolment_id), e.course_id, e.learner_id,
                                      str(e.cancelled_by), e.reason,
                                      known.get(e.course_id))  # fmt: skip


def _certified(e: EnrolmentCertified, known: Courses) -> list[Notice]:
    verify_url = f"{notify_settings().enrolment_url}/certificates/{e.certificate_id}"
    return domain.certificate_issued(str(e.enrolment_id), e.course_id, e.learner_id,
                                     e.certificate_id, e.modules, known.get(e.course_id),
                                     verify_url)  # fmt: skip


def _revoked(e: EnrolmentCertificateRevoked, known: Courses) -> list[Notice]:
    course = known.get(e.course_id)
    return domain.certificate_revoked(str(e.enrolment_id), e.course_id, e.learner_id,
                                      e.certificate_id, e.reason, course)  # fmt: skip


def _offer_made(e: EnrolmentOffered, known: Courses) -> list[Notice]:
    return domain.offer_made(str(e.enrolment_id), e.course_id, e.learner_id, e.offer_expires_at,
                             known.get(e.course_id), notify_settings().enrolment_url)  # fmt: skip


def _offer_declined(e: EnrolmentOfferDeclined, known: Courses) -> list[Notice]:
    return domain.offer_declined(str(e.enrolment_id), e.course_id, e.learner_id,
                                 known.get(e.course_id))  # fmt: skip


def _offer_expired(e: EnrolmentOfferExpired, known: Courses) -> list[Notice]:
    return domain.offer_expired(str(e.enrolment_id), e.course_id, e.learner_id,
                                known.get(e.course_id))  # fmt: skip


def _recognition_requested(e: RecognitionRequested, known: Courses) -> list[Notice]:
    return domain.recognition_requested(str(e.request_id), e.course_id, e.learner_id,
                                        e.reasons, known.get(e.course_id))  # fmt: skip


def _recognition_answered(e: RecognitionAnswered, known: Courses) -> list[Notice]:
    return domain.recognition_answered(str(e.request_id), e.course_id, e.learner_id,
                                       str(e.outcome), e.modules, e.reason,
                                       known.get(e.course_id))  # fmt: skip


def _placement_proposed(e: PlacementProposed, known: Courses) -> list[Notice]:
    at = f"{notify_settings().matching_url}/placements/{e.placement_id}"
    return domain.placement_proposed(e.placement_id, e.learner_id, e.offer_id,
                                     str(e.offer_kind), known.get(e.offer_id),
                                     f"{at}/accept", f"{at}/decline")  # fmt: skip


def _demand_gap(e: DemandGapDetected, teaching: Mapping[str, set[str]]) -> list[Notice]:
    return domain.demand_gap(e.skill, e.occupation, e.municipality, str(e.horizon), e.demand,
                             e.supply, e.gap, teaching.get(e.skill or "", ()))  # fmt: skip


def _feedback_rejected(e: FeedbackRejected, _: None) -> list[Notice]:
    return domain.feedback_rejected(e.provider_id, e.original_ce_id, e.topic,
                                    [err.model_dump() for err in e.errors],
                                    e.subject.model_dump() if e.subject else None)  # fmt: skip


def _project_invited(e: ProjectMemberInvited, _: None) -> list[Notice]:
    answer_url = f"{notify_settings().cooperative_url}/projects/{e.project_id}/answers"
    return domain.project_invited(e.provider_id, e.project_id, e.title,
                                  [p.model_dump(mode="json") for p in e.parts], e.reasons,
                                  answer_url)  # fmt: skip


def _import_reported(e: ImportReported, _: None) -> list[Notice]:
    return domain.import_reported(e.provider_id,
                                  e.model_dump(mode="json", exclude={"provider_id"}))  # fmt: skip


# The catalog's topic: notify keeps what it knows of courses, and a change tells the enrolled.


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


HANDLERS = handlers(
    on(EnrolmentConfirmed, telling(_seated, _confirmed)),
    on(EnrolmentWaitlisted, telling(_seated, _waitlisted)),
    on(EnrolmentCancelled, telling(_unseated, _cancelled)),
    on(EnrolmentCertified, telling(_unseated, _certified)),
    on(EnrolmentCertificateRevoked, telling(_reachable, _revoked)),
    on(EnrolmentOffered, telling(_seated, _offer_made)),
    on(EnrolmentOfferDeclined, telling(_unseated, _offer_declined)),
    on(EnrolmentOfferExpired, telling(_unseated, _offer_expired)),
    on(RecognitionRequested, telling(_courses, _recognition_requested)),
    on(RecognitionAnswered, telling(_reached, _recognition_answered)),
    on(PlacementProposed, telling(_offered_courses, _placement_proposed)),
    on(CoursePublished, Batched(course_published)),
    on(CourseWithdrawnFromCatalog, Batched(course_withdrawn)),
    on(DemandGapDetected, telling(_teachers, _demand_gap)),
    on(FeedbackRejected, telling(_nothing, _feedback_rejected)),
    on(ProjectMemberInvited, telling(_nothing, _project_invited)),
    on(ImportReported, telling(_nothing, _import_reported)),
    on(LearnerErasureRequested, erasure_handler(erasure.erase)),
)
# A rejected request, and a placement's answer, were the learner's own doing: nothing to tell.
# A project's state and a member's answer are read at the cooperative, not announced.
# A provider's recognition declaration concerns no learner yet (counselling plans with it).
# A suspension is a doubt being cleared: the learner hears its end if it ends in a revocation.
IGNORES = (
    EnrolmentRejected,
    EnrolmentCertificateSuspended,
    RecognitionDeclarationRecorded,
    PlacementAccepted,
    PlacementDeclined,
    ProjectStateChanged,
    ProjectMemberAnswered,
)
