"""One path for every door (partner events and HTTP): declare, check, request, decide.

Recognition lives in the enrolment service because that is where both halves are: the
certificates the region issued (what a learner passed, where, when, at which level) and the
courses' modules (what a provider offers), and where a certificate must later say which
modules were recognised rather than passed. Matching and counselling read the outcome as
events; no other service's tables are read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from zll_contracts.payloads import (
    NamedModule,
    RecognitionAnswered,
    RecognitionDeclarationRecorded,
    RecognitionOutcome,
    RecognitionRequested,
)

from services.enrolment import evidence, recognition_store, store
from services.enrolment.recognition import (
    Achievement,
    Case,
    Coverage,
    Decision,
    Declaration,
    RecognitionError,
    coverage,
)
from services.enrolment.recognition_store import RequestRow
from zll.platform.db import Connection
from zll.platform.unit_of_work import UnitOfWork


def achievements_of(rows: Iterable[store.CertificateRow]) -> list[Achievement]:
    """Every module on the learner's live certificates, as an achievement of its provider."""
    found = []
    for row in rows:
        if row.revoked_at is not None or row.suspended_at is not None or not row.jwt:
            continue
        subject = row.credential.get("credentialSubject", {})
        completed = datetime.fromisoformat(str(subject.get("activityEndDate"))).date()
        for module in subject.get("modules", []):
            found.append(
                Achievement(
                    row.certificate_id,
                    row.provider_id,
                    row.provider_id,
                    row.course_id,
                    str(module["moduleId"]),
                    str(module["title"]),
                    completed,
                    int(module["eqfLevel"]),
                    float(module["workloadHours"]),
                    frozenset(module.get("skills") or []),
                )
            )
    return found


async def course_or_refuse(conn: Connection, course_id: str) -> store.KnownCourse:
    course = await store.get_course(conn, course_id)
    if course is None:
        raise RecognitionError(
            "course_id",
            f"Der Kurs „{course_id}“ ist nicht bekannt.",
            f"The course {course_id!r} is not known.",
        )
    return course


async def declare(
    uow: UnitOfWork, declaration: Declaration, declared_by: str, declared_at: datetime
) -> None:
    """Record the provider's declaration and announce it, so counselling plans with it."""
    conn = uow.conn
    course = await course_or_refuse(conn, declaration.course_id)
    declaration.validate(declared_by, [m["module_id"] for m in course.modules])
    if course.provider_id != declared_by:
        raise RecognitionError(
            "course_id",
            f"„{course.course_id}“ ist nicht Ihr Kurs.",
            f"{course.course_id!r} is not your course.",
        )
    await recognition_store.save_declaration(conn, declaration, declared_at)
    named = declaration.named
    uow.publish(
        RecognitionDeclarationRecorded(
            declaration_id=declaration.declaration_id,
            provider_id=declaration.provider_id,
            course_id=declaration.course_id,
            module_id=declaration.module_id,
            named=NamedModule(provider_id=named[0], course_id=named[1], module_id=named[2])
            if named
            else None,
            skills=sorted(declaration.skills),
            min_eqf_level=declaration.min_eqf_level,
            min_workload_hours=declaration.min_workload_hours,
            max_age_years=declaration.max_age_years,
            accepts_external=declaration.accepts_external,
            occurred_at=declared_at,
        ),
        key=declaration.course_id,
    )


async def check(
    conn: Connection, learner_id: str, course_id: str, today: date | None = None
) -> tuple[store.KnownCourse, Coverage]:
    """Which modules of the course the learner's record covers, and which remain."""
    course = await course_or_refuse(conn, course_id)
    declarations = await recognition_store.declarations_for(conn, course_id)
    rows = await store.certificates_of_learner(conn, learner_id)
    outside = evidence.achievements(await evidence.evidence_of(conn, learner_id))
    today = today or datetime.now(UTC).date()
    found = coverage(course.modules, declarations, [*achievements_of(rows), *outside], today)
    return course, found


async def request(
    uow: UnitOfWork,
    request_id: uuid.UUID,
    learner_id: str,
    course_id: str,
    contact: dict[str, Any] | None = None,
) -> RequestRow:
    """The learner asks for what the region found covered; announced to the provider."""
    course, found = await check(uow.conn, learner_id, course_id)
    existing = await recognition_store.get_request(uow.conn, request_id)
    if existing is not None:
        if existing.case.learner_id != learner_id or existing.case.course_id != course_id:
            raise RecognitionError(
                "request_id",
                "Diese Antragskennung gehört zu einem anderen Antrag.",
                "This request id belongs to another request.",
            )
        return existing
    if not found.covered:
        raise RecognitionError(
            "course_id",
            "Keine Ihrer Leistungen deckt ein Modul dieses Kurses ab.",
            "None of your achievements covers a module of this course.",
        )
    case = Case(
        str(request_id),
        learner_id,
        course.provider_id,
        course_id,
        tuple(c.module_id for c in found.covered),
    )
    now = datetime.now(UTC)
    row = RequestRow(case, [c.reason_de for c in found.covered], contact, now)
    await recognition_store.save_request(uow.conn, row)
    uow.publish(
        RecognitionRequested(
            request_id=request_id,
            course_id=course_id,
            provider_id=course.provider_id,
            learner_id=learner_id,
            occurred_at=now,
            modules=list(case.requested),
            reasons=row.reasons,
            **_contact(contact),
        ),
        key=course_id,
    )
    return row


async def decide(
    uow: UnitOfWork, request_id: uuid.UUID, decision: Decision, decided_at: datetime
) -> RequestRow:
    """The provider decides; recorded for good and announced so notify tells the learner."""
    row = await recognition_store.get_request(uow.conn, request_id, lock=True)
    if row is None or row.case.provider_id != decision.decided_by:
        raise RecognitionError(
            "request_id",
            f"Kein Antrag {request_id} für Ihre Kurse.",
            f"No request {request_id} for your courses.",
        )
    if any(d == decision for d in row.case.decisions):
        return row  # the same decision again (a redelivery or a retry): no second effect
    decided = row.case.decide(decision)
    seq = len(row.case.decisions)
    await recognition_store.append_decision(uow.conn, request_id, seq, decision, decided_at)
    uow.publish(
        RecognitionAnswered(
            request_id=request_id,
            course_id=decided.course_id,
            provider_id=decided.provider_id,
            learner_id=decided.learner_id,
            occurred_at=decided_at,
            decision_id=decision.decision_id,
            outcome=RecognitionOutcome(decision.outcome),
            modules=list(decision.modules),
            reason=decision.reason,
            supersedes=decision.supersedes,
            **_contact(row.contact),
        ),
        key=decided.course_id,
    )
    return RequestRow(decided, row.reasons, row.contact, row.requested_at)


def _contact(contact: dict[str, Any] | None) -> dict[str, Any]:
    contact = contact or {}
    return {"contact_email": contact.get("email"), "locale": contact.get("locale")}
