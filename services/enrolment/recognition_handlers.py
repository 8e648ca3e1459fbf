"""Providers' recognition events: declarations for their modules, decisions on requests."""

from __future__ import annotations

from zll_contracts.payloads import RecognitionDecided, RecognitionDeclared

from services.enrolment import recognition_store, recognitions
from services.enrolment.recognition import Decision, Declaration, RecognitionError
from zll.platform.consumer import Message
from zll.platform.errors import Problem, Refused
from zll.platform.plain_text import check_plain_text
from zll.platform.unit_of_work import UnitOfWork


def refused(error: RecognitionError) -> Refused:
    return Refused([Problem(error.field, str(error), error.message_de, error.message_en)])


def declaration_of(payload: RecognitionDeclared) -> Declaration:
    named = payload.named
    return Declaration(
        payload.declaration_id,
        payload.course_id.split(":", 1)[0],
        payload.course_id,
        payload.module_id,
        (named.provider_id, named.course_id, named.module_id) if named else None,
        frozenset(payload.skills),
        payload.min_eqf_level,
        payload.min_workload_hours,
        payload.max_age_years,
        payload.accepts_external,
    )


async def declared(uow: UnitOfWork, message: Message[RecognitionDeclared]) -> None:
    payload = message.payload
    _check_key(message, payload.course_id)
    try:
        declaration = declaration_of(payload)
        await recognitions.declare(uow, declaration, str(message.sender), payload.declared_at)
    except RecognitionError as error:
        raise refused(error) from error


async def decided(uow: UnitOfWork, message: Message[RecognitionDecided]) -> None:
    payload = message.payload
    check_plain_text(payload)
    row = await recognition_store.get_request(uow.conn, payload.request_id)
    if row is not None:
        _check_key(message, row.case.course_id)
    decision = Decision(
        payload.decision_id,
        payload.outcome.value,
        tuple(dict.fromkeys(payload.modules)),
        payload.reason,
        str(message.sender),
        payload.supersedes,
    )
    try:
        await recognitions.decide(uow, payload.request_id, decision, payload.decided_at)
    except RecognitionError as error:
        raise refused(error) from error


def _check_key(
    message: Message[RecognitionDeclared] | Message[RecognitionDecided], course_id: str
) -> None:
    if message.record.key != course_id.encode():
        raise Refused([Problem(
            "key",
            f"the record's key must be the course_id {course_id!r}",
            f"Der Schlüssel der Meldung (Kafka-Key) muss die Kurs-Kennung „{course_id}“ sein.",
            f'The message\'s key (Kafka key) must be the course id "{course_id}".',
        )])  # fmt: skip
