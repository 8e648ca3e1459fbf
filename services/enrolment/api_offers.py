"""Timed offers over HTTP: the learner (or a counsellor) accepts or declines a held seat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from services.enrolment import domain, offers, store
from services.enrolment.messages import MESSAGES
from services.enrolment.schemas import DeclineRequest, EnrolmentView
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Answering = Annotated[Principal, Depends(require_role("learner", "counsellor"))]


async def _answerable(uow: UnitOfWork, enrolment_id: uuid.UUID, principal: Principal) -> None:
    """404 unless the caller may see the enrolment; 403 unless they may answer for it."""
    row = await store.get_enrolment(uow.conn, enrolment_id)
    if row is None or not domain.may_see(
        principal.role, principal.sub, learner_id=row.learner_id, provider_id=row.provider_id
    ):
        raise ProblemError(
            404,
            MESSAGES("enrolment-not-found"),
            MESSAGES("enrolment-not-found.detail", enrolment_id=enrolment_id),
        )
    if not domain.may_enrol(principal.role, principal.sub, row.learner_id):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("offer.own-only"))


def _closed(error: offers.OfferClosed) -> ProblemError:
    if error.deadline is not None:
        return ProblemError(
            409,
            MESSAGES("offer.expired"),
            MESSAGES("offer.expired.detail", deadline=error.deadline.isoformat()),
        )
    return ProblemError(
        409, MESSAGES("offer.none"), MESSAGES("offer.none.detail", status=error.status)
    )


def _today() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/enrolments/{enrolment_id}/offer/accept",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    tags=["offers"],
    summary="Accept the seat held for you: the enrolment is confirmed (the learner, a counsellor)",
)
async def accept_offer(db: Db, enrolment_id: uuid.UUID, principal: Answering) -> EnrolmentView:
    try:
        async with db.unit_of_work() as uow:
            await _answerable(uow, enrolment_id, principal)
            after = await offers.accept(uow, enrolment_id, _today().date())
    except offers.OfferClosed as error:
        raise _closed(error) from error
    assert after is not None
    return EnrolmentView.of(after)


@router.post(
    "/enrolments/{enrolment_id}/offer/decline",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    tags=["offers"],
    summary="Decline the seat held for you: it is offered to the next one waiting",
)
async def decline_offer(
    db: Db, enrolment_id: uuid.UUID, principal: Answering, body: DeclineRequest | None = None
) -> EnrolmentView:
    try:
        async with db.unit_of_work() as uow:
            await _answerable(uow, enrolment_id, principal)
            reason = body.reason if body else None
            after = await offers.decline(uow, enrolment_id, reason, _today().date())
    except offers.OfferClosed as error:
        raise _closed(error) from error
    assert after is not None
    return EnrolmentView.of(after)
