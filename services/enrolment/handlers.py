"""What the enrolment service does with each event it consumes; HANDLERS is the whole flow."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from zll_contracts.payloads import (
    CancelledBy,
    CoursePublished,
    CourseWithdrawnFromCatalog,
    EnrolmentCancelRequested,
    EnrolmentCompleted,
    EnrolmentOfferAnswered,
    EnrolmentRequested,
    EnrolmentSource,
    LearnerErasureRequested,
    OfferAnswer,
    OfferKind,
    PlacementAccepted,
    PlacementDeclined,
    PlacementProposed,
    RecognitionDecided,
    RecognitionDeclared,
    WaitlistPromotion,
)

from services.enrolment import (
    certificates,
    erasure,
    ledger,
    offers,
    recognition_handlers,
    store,
    store_batches,
)
from services.enrolment.domain import Status
from zll.platform.consumer import Batched, Message, Refusals, erasure_handler, handlers, on
from zll.platform.errors import Problem, Refused
from zll.platform.plain_text import check_plain_text, text_problems
from zll.platform.unit_of_work import UnitOfWork

# A run is all published or all withdrawn (the consumer groups runs by event type).
CatalogEvent = TypeVar("CatalogEvent", CoursePublished, CourseWithdrawnFromCatalog)

# An accepted placement becomes the enrolment with this id, so a redelivery finds it again.
PLACEMENT_ENROLMENTS = uuid.UUID("6f0f3c2e-5d0c-4c55-9c54-2f7a6a0e1a10")


def _today() -> date:
    return datetime.now(UTC).date()


def _known(course: CoursePublished | CourseWithdrawnFromCatalog) -> store.KnownCourse:
    return store.KnownCourse(
        course.course_id,
        course.provider_id,
        course.revision,
        "live" if isinstance(course, CoursePublished) else "withdrawn",
        course.capacity,
        course.start_date,
        course.end_date,
        course.title,
        tuple(m.model_dump(mode="json") for m in course.modules),
        offer_hours=course.offer_hours
        if course.waitlist_promotion is WaitlistPromotion.OFFER
        else None,
        price_eur=float(course.price_eur),
    )


async def learn_courses(
    uow: UnitOfWork, messages: Sequence[Message[CatalogEvent]]
) -> Refusals[CatalogEvent]:
    """A run of catalog events in one statement; only courses the ledger knew before can
    move seats (a withdrawal cancels, more seats promote), each in its message's trace."""
    changed = await store_batches.remember_courses(uow.conn, [_known(m.payload) for m in messages])
    cause = {m.payload.course_id: m for m in messages}
    for course_id in changed:
        token = otel_context.attach(cause[course_id].trace_context)
        try:
            await ledger.course_changed(uow, course_id, _today())
        finally:
            otel_context.detach(token)
    return []


def _wrong_key(course_id: str) -> Problem:
    return Problem(
        "key",
        f"the record's key must be the course_id {course_id!r}",
        f"Der Schlüssel der Meldung (Kafka-Key) muss die Kurs-Kennung „{course_id}“ sein.",
        f'The message\'s key (Kafka key) must be the course id "{course_id}".',
    )


async def request_enrolments(
    uow: UnitOfWork, messages: Sequence[Message[EnrolmentRequested]]
) -> Refusals[EnrolmentRequested]:
    """A run of partner requests: refuse strangers' ones, decide the rest together."""
    refused, requests = [], []
    for message in messages:
        request = message.payload
        if request.course_id.split(":", 1)[0] != message.sender:
            problem = Problem(
                "course_id",
                f"{message.sender!r} may enrol into its courses only",
                f"Sie können nur in Ihre eigenen Kurse einschreiben; „{request.course_id}“ "
                "ist nicht Ihrer.",
                f'You can enrol learners into your own courses only; "{request.course_id}" '
                "is not yours.",
            )
            refused.append((message, Refused([problem])))
            continue
        if message.record.key != request.course_id.encode():
            # The key orders a course's requests (first come, first served) and puts a
            # cancellation behind its request: under another key neither holds.
            problem = _wrong_key(request.course_id)
            refused.append((message, Refused([problem])))
            continue
        if problems := text_problems(request):
            refused.append((message, Refused(problems)))
            continue
        contact = request.contact.model_dump(mode="json") if request.contact else None
        requests.append(
            ledger.Request(
                request.enrolment_id,
                request.course_id,
                request.learner_id,
                EnrolmentSource.PROVIDER,
                request.requested_at,
                contact=contact,
            )
        )
    await ledger.enrol(uow, requests, _today())
    return refused


async def cancel_requested(uow: UnitOfWork, message: Message[EnrolmentCancelRequested]) -> None:
    cancel = message.payload
    check_plain_text(cancel)
    _, course = await _own_enrolment(uow, cancel.enrolment_id, message.sender)
    _check_key(message, course.course_id)
    await ledger.cancel(uow, cancel.enrolment_id, CancelledBy.PROVIDER, cancel.reason, _today())


async def offer_answered(uow: UnitOfWork, message: Message[EnrolmentOfferAnswered]) -> None:
    """The learner answered a held seat at the provider's desk: as over HTTP, by its provider."""
    answered = message.payload
    check_plain_text(answered)
    _, course = await _own_enrolment(uow, answered.enrolment_id, message.sender)
    _check_key(message, course.course_id)
    try:
        if answered.answer is OfferAnswer.ACCEPT:
            await offers.accept(uow, answered.enrolment_id, _today())
        else:
            await offers.decline(uow, answered.enrolment_id, answered.reason, _today())
    except offers.OfferClosed as closed:
        raise Refused([_offer_closed(closed)]) from closed


def _offer_closed(closed: offers.OfferClosed) -> Problem:
    if closed.deadline is not None:
        when = closed.deadline.isoformat()
        return Problem(
            "enrolment_id",
            f"the offer expired at {when}",
            f"Das Platzangebot ist am {when} abgelaufen; der Platz geht an die nächste Person.",
            f"The seat offer expired at {when}; the seat goes to the next person.",
        )
    return Problem(
        "enrolment_id",
        f"no open offer (the enrolment is {closed.status})",
        f"Für diese Anmeldung ist kein Platz reserviert (Stand: {closed.status}).",
        f"No seat is held for this enrolment (it is {closed.status}).",
    )


async def completed(uow: UnitOfWork, message: Message[EnrolmentCompleted]) -> None:
    """The course's own provider reports what was passed: one certificate per enrolment."""
    report = message.payload
    enrolment, course = await _own_enrolment(uow, report.enrolment_id, message.sender)
    _check_key(message, course.course_id)
    if enrolment.certificate_id is not None:
        return  # already certified: a second report has no second effect
    if enrolment.status not in (Status.CONFIRMED, Status.COMPLETED):
        raise Refused([Problem(
            "enrolment_id",
            f"the enrolment is {enrolment.status}, not confirmed",
            f"Die Einschreibung ist nicht bestätigt (Stand: {enrolment.status}); ein Abschluss "
            "kann nur für bestätigte Einschreibungen gemeldet werden.",
            f"The enrolment is not confirmed (it is {enrolment.status}); completions can be "
            "reported for confirmed enrolments only.",
        )])  # fmt: skip
    modules = {m["module_id"]: m for m in course.modules}
    unknown = [m for m in report.modules_passed if m not in modules]
    if unknown or not report.modules_passed:
        detail = f"not modules of {course.course_id}: {unknown}" if unknown else "none named"
        raise Refused([Problem(
            "modules_passed",
            detail,
            f"Bestandene Module: {', '.join(unknown)} gehören nicht zu „{course.title}“"
            if unknown else "Bitte nennen Sie mindestens ein bestandenes Modul.",
            f"Modules passed: {', '.join(unknown)} are not modules of \"{course.title}\""
            if unknown else "Please name at least one module that was passed.",
        )])  # fmt: skip
    await store.set_status(uow.conn, [enrolment.enrolment_id], Status.COMPLETED.value)
    passed = [modules[m] for m in dict.fromkeys(report.modules_passed)]
    await certificates.certify(uow, enrolment, course, passed, report.completed_at)


async def _own_enrolment(
    uow: UnitOfWork, enrolment_id: uuid.UUID, sender: str | None
) -> tuple[store.EnrolmentRow, store.KnownCourse]:
    """The enrolment and its course, if the sender is the course's provider; else refused."""
    enrolment = await store.get_enrolment(uow.conn, enrolment_id)
    course = await store.get_course(uow.conn, enrolment.course_id) if enrolment else None
    if enrolment is None or course is None or course.provider_id != sender:
        raise Refused([Problem(
            "enrolment_id",
            f"no enrolment {enrolment_id} in a course of yours",
            f"In Ihren Kursen gibt es keine Einschreibung {enrolment_id}.",
            f"There is no enrolment {enrolment_id} in your courses.",
        )])  # fmt: skip
    return enrolment, course


def _check_key(message: Message[Any], course_id: str) -> None:
    """A cancellation or completion names only its enrolment; its key must still be that
    enrolment's course, or it could overtake the request it refers to."""
    if message.record.key != course_id.encode():
        raise Refused([_wrong_key(course_id)])


async def placement_accepted(uow: UnitOfWork, message: Message[PlacementAccepted]) -> None:
    placement = message.payload
    if placement.offer_kind is not OfferKind.COURSE:
        return  # internships, apprenticeships and jobs have no seat in this ledger
    enrolment_id = uuid.uuid5(PLACEMENT_ENROLMENTS, placement.placement_id)
    request = ledger.Request(
        enrolment_id,
        placement.offer_id,
        placement.learner_id,
        EnrolmentSource.PLACEMENT,
        placement.occurred_at,
        placement_id=placement.placement_id,
    )
    await ledger.enrol(uow, [request], _today())


HANDLERS = handlers(
    on(CoursePublished, Batched(learn_courses)),
    on(CourseWithdrawnFromCatalog, Batched(learn_courses)),
    on(EnrolmentRequested, Batched(request_enrolments)),
    on(EnrolmentCancelRequested, cancel_requested),
    on(EnrolmentCompleted, completed),
    on(EnrolmentOfferAnswered, offer_answered),
    on(PlacementAccepted, placement_accepted),
    on(LearnerErasureRequested, erasure_handler(erasure.erase)),
    on(RecognitionDeclared, recognition_handlers.declared),
    on(RecognitionDecided, recognition_handlers.decided),
)
# Proposals and declines are between the learner and matching; a seat is taken on acceptance.
IGNORES = (PlacementProposed, PlacementDeclined)
