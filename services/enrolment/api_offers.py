"""Timed offers over HTTP: the learner (or a counsellor) accepts or declines a held seat."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from services.enrolment import domain, offers, store
from services.enrolment.api import visible
from services.enrolment.messages import MESSAGES
from services.enrolment.schemas import DeclineRequest, EnrolmentView
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Answering = Annotated[Principal, Depends(require_role("learner", "counsellor"))]


Answer = Callable[[UnitOfWork, uuid.UUID, date], Awaitable[store.EnrolmentRow | None]]


async def _answered(
    db: Db, enrolment_id: uuid.UUID, principal: Principal, answer: Answer
) -> EnrolmentView:
    """Either answer, one way: 404 unless the caller may see the enrolment, 403 unless they
    may answer for it, 409 when no offer is open; the enrolment as it is afterwards."""
    try:
        async with db.unit_of_work() as uow:
            row = await visible(uow.conn, enrolment_id, principal)
            if not domain.may_enrol(principal.role, principal.sub, row.learner_id):
                raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("offer.own-only"))
            after = await answer(uow, enrolment_id, datetime.now(UTC).date())
    except offers.OfferClosed as error:
        raise _closed(error) from error
    assert after is not None
    return EnrolmentView.of(after)


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


@router.post(
    "/enrolments/{enrolment_id}/offer/accept",
    response_model=EnrolmentView,
    response_model_exclude_none=True,
    tags=["offers"],
    summary="Accept the seat held for you: the enrolment is confirmed (the learner, a counsellor)",
)
async def accept_offer(db: Db, enrolment_id: uuid.UUID, principal: Answering) -> EnrolmentView:
    return await _answered(db, enrolment_id, principal, offers.accept)


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
    reason = body.reason if body else None
    return await _answered(
        db, enrolment_id, principal, lambda uow, id_, today: offers.decline(uow, id_, reason, today)
    )
