"""The enrolment service's HTTP API: enrolments, seats and who may see them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Header, Path, Response
from zll_contracts.payloads import CancelledBy, EnrolmentSource

from services.enrolment import domain, ledger, recognition, recognition_store, store
from services.enrolment.group_commit import Door
from services.enrolment.messages import MESSAGES
from services.enrolment.schemas import (
    CancelRequest,
    EnrolmentPage,
    EnrolmentView,
    EnrolRequest,
    Seats,
)
from zll.platform.auth import Principal, current_principal, require_role
from zll.platform.database import Db
from zll.platform.pagination import PageRequest, pages
from zll.platform.problems import ProblemError

router = APIRouter()
# Idempotency-Key + caller → the same enrolment_id, so a retried POST finds its first answer.
IDEMPOTENT_ENROLMENTS = uuid.UUID("0b7d8a57-3f3e-4f7e-9a8e-0c2c7d1b9e41")
CourseIdPath = Annotated[str, Path(max_length=110)]
LearnerIdPath = Annotated[str, Path(max_length=128)]
Caller = Annotated[Principal, Depends(current_principal)]
Pages = Annotated[PageRequest, Depends(pages(default=100, maximum=500))]


def _today() -> Any:
    return datetime.now(UTC).date()


@router.post(
    "/enrolments",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    status_code=201,
    tags=["enrolments"],
    summary="Enrol a learner: confirmed, waitlisted or rejected (learner for themself, counsellor)",
)
async def enrol(
    db: Db,
    door: Door,
    body: EnrolRequest,
    response: Response,
    principal: Annotated[Principal, Depends(require_role("learner", "counsellor"))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> EnrolmentView:
    if not domain.may_enrol(principal.role, principal.sub, body.learner_id):
        raise ProblemError(
            403,
            MESSAGES("forbidden"),
            MESSAGES("enrol.own-only"),
            errors=[{"field": "learner_id", "message": MESSAGES("enrol.own-id")}],
        )
    enrolment_id = (
        uuid.uuid5(IDEMPOTENT_ENROLMENTS, f"{principal.role}:{principal.sub}:{idempotency_key}")
        if idempotency_key
        else uuid.uuid4()
    )
    wanted = ledger.Request(
        enrolment_id,
        body.course_id,
        body.learner_id,
        EnrolmentSource.HTTP,
        datetime.now(UTC),
    )
    try:
        # Decided in the next batch with whatever else arrives meanwhile; answered after commit.
        outcome = await door.decide(wanted)
    except asyncpg.UniqueViolationError:
        outcome = None  # a concurrent twin with the same Idempotency-Key won
    if outcome is not None:
        return _view_of_decision(wanted, outcome)
    async with db.connection() as conn:
        row = await store.get_enrolment(conn, enrolment_id)
    assert row is not None
    if row.course_id != body.course_id or row.learner_id != body.learner_id:
        raise ProblemError(
            422,
            MESSAGES("idempotency-key-reused"),
            MESSAGES("idempotency-key-reused.detail"),
            errors=[
                {"field": "Idempotency-Key", "message": MESSAGES("idempotency-key-reused.field")}
            ],
        )
    response.status_code = 200  # the answer given the first time
    return EnrolmentView.of(row)


def _view_of_decision(wanted: ledger.Request, outcome: ledger.Outcome) -> EnrolmentView:
    return EnrolmentView(
        enrolment_id=wanted.enrolment_id,
        course_id=wanted.course_id,
        learner_id=wanted.learner_id,
        status=outcome.status,
        waitlist_position=outcome.waitlist_position,
        reason_code=outcome.reason_code.value if outcome.reason_code else None,
        reason=outcome.reason,
        source=wanted.source.value,
        requested_at=wanted.requested_at,
        updated_at=wanted.requested_at,
    )


async def visible(conn: Any, enrolment_id: uuid.UUID, principal: Principal) -> store.EnrolmentRow:
    """The enrolment if the caller may see it; 404 otherwise, so ids of others do not leak."""
    row = await store.get_enrolment(conn, enrolment_id)
    if row is None or not domain.may_see(
        principal.role, principal.sub, learner_id=row.learner_id, provider_id=row.provider_id
    ):
        raise ProblemError(
            404,
            MESSAGES("enrolment-not-found"),
            MESSAGES("enrolment-not-found.detail", enrolment_id=enrolment_id),
        )
    return row


@router.get(
    "/enrolments/{enrolment_id}",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    tags=["enrolments"],
    summary="One enrolment (its learner, the course's provider, counsellors, operators)",
)
async def get_enrolment(db: Db, enrolment_id: uuid.UUID, principal: Caller) -> EnrolmentView:
    """With the enrolment's terms: the modules recognised, and the workload and price of what
    remains (not in POST's answer, which stays on the seat ledger's hot path)."""
    async with db.connection() as conn:
        row = await visible(conn, enrolment_id, principal)
        course = await store.get_course(conn, row.course_id)
        recognised = await recognition_store.recognised_modules(conn, row.learner_id, row.course_id)
    view = EnrolmentView.of(row)
    if course is None:
        return view
    found = recognition.terms(course.modules, course.price_eur, recognised)
    return view.model_copy(
        update={
            "recognised_modules": list(found.recognised_modules),
            "workload_hours": found.workload_hours,
            "price_eur": found.price_eur,
        }
    )


_CANCELLED_BY = {
    "learner": CancelledBy.LEARNER,
    "counsellor": CancelledBy.COUNSELLOR,
    "provider": CancelledBy.PROVIDER,
}


@router.post(
    "/enrolments/{enrolment_id}/cancel",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    tags=["enrolments"],
    summary="Cancel an enrolment; a freed seat goes to the earliest waitlisted learner",
)
async def cancel(
    db: Db,
    enrolment_id: uuid.UUID,
    principal: Caller,
    body: CancelRequest | None = None,
) -> EnrolmentView:
    async with db.unit_of_work() as uow:
        row = await visible(uow.conn, enrolment_id, principal)
        if not domain.may_cancel(
            principal.role, principal.sub, learner_id=row.learner_id, provider_id=row.provider_id
        ):
            raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("cancel.role"))
        if row.status in (domain.Status.COMPLETED, domain.Status.REJECTED):
            raise ProblemError(
                409,
                MESSAGES("cannot-cancel"),
                MESSAGES("cannot-cancel.detail", status=row.status),
            )
        reason = body.reason if body else None
        after = await ledger.cancel(
            uow, enrolment_id, _CANCELLED_BY[principal.role], reason, _today()
        )
    assert after is not None
    return EnrolmentView.of(after)


@router.get(
    "/learners/{learner_id}/enrolments",
    response_model=EnrolmentPage,
    response_model_exclude_none=True,
    tags=["enrolments"],
    summary="A learner's enrolments in arrival order (the learner, counsellors, operators)",
)
async def learner_enrolments(
    db: Db, learner_id: LearnerIdPath, principal: Caller, page: Pages
) -> EnrolmentPage:
    if not domain.may_see(principal.role, principal.sub, learner_id=learner_id, provider_id=None):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-enrolments-only"))
    after = page.after(int)
    async with db.connection() as conn:
        rows = await store.enrolments_of_learner(
            conn, learner_id, after=after[0] if after else None, limit=page.limit + 1
        )
    return _page(page, rows)


def _page(page: PageRequest, rows: list[store.EnrolmentRow]) -> EnrolmentPage:
    found, next_cursor = page.cut(rows, key=lambda row: (row.seq,))
    return EnrolmentPage(items=[EnrolmentView.of(r) for r in found], next_cursor=next_cursor)


async def _known_course(conn: Any, course_id: str) -> store.KnownCourse:
    course = await store.get_course(conn, course_id)
    if course is None:
        raise ProblemError(
            404,
            MESSAGES("course-not-found"),
            MESSAGES("course-not-found.detail", course_id=course_id),
        )
    return course


@router.get("/courses/{course_id}/seats", response_model=Seats, tags=["seats"])
async def seats(
    db: Db,
    course_id: CourseIdPath,
) -> Seats:
    """Seats of a course as the ledger knows it; public."""
    async with db.connection() as conn:
        course = await _known_course(conn, course_id)
    return Seats(
        capacity=course.capacity,
        confirmed=course.confirmed,
        waitlisted=course.waitlisted,
        offered=course.offered,
    )


@router.get(
    "/courses/{course_id}/enrolments",
    response_model=EnrolmentPage,
    response_model_exclude_none=True,
    tags=["seats"],
    summary="All enrolments of a course in arrival order (its provider, counsellors, operators)",
)
async def course_enrolments(
    db: Db,
    course_id: CourseIdPath,
    principal: Annotated[Principal, Depends(require_role("provider", "counsellor", "operator"))],
    page: Pages,
) -> EnrolmentPage:
    after = page.after(int)
    async with db.connection() as conn:
        course = await _known_course(conn, course_id)
        if principal.role == "provider" and principal.sub != course.provider_id:
            raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-courses-only"))
        rows = await store.enrolments_of_course(
            conn, course_id, after=after[0] if after else None, limit=page.limit + 1
        )
    return _page(page, rows)
