"""Matching's HTTP API for placements (rounds: api_rounds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Depends
from zll_contracts.payloads import PlacementAccepted, PlacementDeclined, PlacementProposed
from zll_contracts.payloads.placements import OfferKind

from services.matching import store, store_counselling
from services.matching.domain.placements import PlacementAlreadyDecided, PlacementStatus, decide
from services.matching.messages import MESSAGES
from services.matching.schemas import (
    DeclineIn,
    PlacementOut,
    PlacementPage,
    ProposalIn,
)
from zll.platform.auth import Principal, require_role
from zll.platform.database import Database, Db
from zll.platform.pagination import PageRequest, pages
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Staff = Annotated[Principal, Depends(require_role("counsellor", "operator"))]
LearnerOrCounsellor = Annotated[Principal, Depends(require_role("learner", "counsellor"))]


async def propose_all(
    uow: UnitOfWork,
    round_id: UUID | None,
    assignments: dict[str, str | None] | dict[str, str],
    kinds: dict[str, OfferKind],
    *,
    wave: int | None = None,
) -> dict[str, str]:
    """Store each assignment as a proposed placement and stage its event, in one transaction."""
    now = datetime.now(UTC)
    rows: list[tuple[UUID, str, str, str]] = []
    for learner, offer in assignments.items():
        if offer is None:
            continue
        placement_id = uuid4()
        rows.append((placement_id, learner, offer, kinds[offer]))
        uow.publish(
            PlacementProposed(
                placement_id=str(placement_id),
                learner_id=learner,
                offer_id=offer,
                offer_kind=kinds[offer],
                round_id=str(round_id) if round_id else None,
                occurred_at=now,
                wave=wave,
            ),
            key=learner,
        )
    await store.propose_placements(uow.conn, rows, round_id, wave)
    return {learner: str(placement_id) for placement_id, learner, _, _ in rows}


@router.post("/placements", response_model=PlacementOut, status_code=201, tags=["placements"])
async def propose(db: Db, body: ProposalIn, _: Staff) -> PlacementOut:
    """Propose one place to one learner (e.g. an opportunity from their recommendations)."""
    async with db.unit_of_work() as uow:
        if not await store_counselling.offer_open(uow.conn, body.offer_id, body.offer_kind):
            raise ProblemError(
                422,
                MESSAGES("offer-not-open"),
                MESSAGES(
                    "offer-not-open.detail", offer_kind=body.offer_kind, offer_id=body.offer_id
                ),
                errors=[{"field": "offer_id", "message": MESSAGES("offer-not-open.field")}],
            )
        placements = await propose_all(
            uow,
            None,
            {body.learner_id: body.offer_id},
            {body.offer_id: body.offer_kind},
        )
        placement = await store.get_placement(uow.conn, UUID(placements[body.learner_id]))
    assert placement is not None
    return _out(placement)


@router.get("/placements/{placement_id}", response_model=PlacementOut, tags=["placements"])
async def get_placement(db: Db, placement_id: UUID, principal: LearnerOrCounsellor) -> PlacementOut:
    async with db.connection() as conn:
        placement = await store.get_placement(conn, placement_id)
    return _out(_visible(placement, placement_id, principal))


@router.get("/learners/{learner_id}/placements", response_model=PlacementPage, tags=["placements"])
async def list_placements(
    db: Db,
    learner_id: str,
    principal: LearnerOrCounsellor,
    page: Annotated[PageRequest, Depends(pages(default=100, maximum=500))],
) -> PlacementPage:
    """A learner's placements, oldest proposal first (the learner, counsellors)."""
    if principal.role == "learner" and principal.sub != learner_id:
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-placements-only"))
    after = page.after(datetime, UUID)
    async with db.connection() as conn:
        rows = await store.placements_of(conn, learner_id, after=after, limit=page.limit + 1)
    found, next_cursor = page.cut(rows, key=lambda p: (p.proposed_at, p.placement_id))
    return PlacementPage(items=[_out(p) for p in found], next_cursor=next_cursor)


@router.post("/placements/{placement_id}/accept", response_model=PlacementOut, tags=["placements"])
async def accept(placement_id: UUID, db: Db, principal: LearnerOrCounsellor) -> PlacementOut:
    """The learner (or their counsellor) takes the place: `zll.placement.accepted.v1`."""
    return await _answer(db, placement_id, principal, PlacementStatus.ACCEPTED, None)


@router.post("/placements/{placement_id}/decline", response_model=PlacementOut, tags=["placements"])
async def decline(
    placement_id: UUID,
    db: Db,
    principal: LearnerOrCounsellor,
    body: Annotated[DeclineIn | None, Body()] = None,
) -> PlacementOut:
    """The learner (or their counsellor) turns the place down: `zll.placement.declined.v1`."""
    reason = body.reason if body else None
    return await _answer(db, placement_id, principal, PlacementStatus.DECLINED, reason)


async def _answer(
    db: Database,
    placement_id: UUID,
    principal: Principal,
    answer: Literal[PlacementStatus.ACCEPTED, PlacementStatus.DECLINED],
    reason: str | None,
) -> PlacementOut:
    async with db.unit_of_work() as uow:
        placement = _visible(
            await store.get_placement(uow.conn, placement_id, for_update=True),
            placement_id,
            principal,
        )
        try:
            changes = decide(PlacementStatus(placement.status), answer)
        except PlacementAlreadyDecided as already:
            raise ProblemError(
                409,
                MESSAGES("placement-decided"),
                MESSAGES("placement-decided.detail", status=already.status),
            ) from None
        if not changes:
            return _out(placement)
        placement = await store.decide_placement(uow.conn, placement_id, answer, reason)
        uow.publish(_event(placement, reason), key=placement.learner_id)
    return _out(placement)


def _event(
    placement: store.PlacementRow, reason: str | None
) -> PlacementAccepted | PlacementDeclined:
    fields: dict[str, Any] = {
        "placement_id": str(placement.placement_id),
        "learner_id": placement.learner_id,
        "offer_id": placement.offer_id,
        "offer_kind": placement.offer_kind,
        "round_id": str(placement.round_id) if placement.round_id else None,
        "occurred_at": placement.decided_at,
    }
    if placement.status == PlacementStatus.ACCEPTED:
        return PlacementAccepted(**fields)
    return PlacementDeclined(**fields, reason=reason)


def _visible(
    placement: store.PlacementRow | None, placement_id: UUID, principal: Principal
) -> store.PlacementRow:
    # A learner asking about someone else's placement learns nothing, not even that it exists.
    if placement is None or (principal.role == "learner" and principal.sub != placement.learner_id):
        raise ProblemError(
            404,
            MESSAGES("placement-not-found"),
            MESSAGES("placement-not-found.detail", placement_id=placement_id),
        )
    return placement


def _out(placement: store.PlacementRow) -> PlacementOut:
    return PlacementOut(
        placement_id=str(placement.placement_id),
        learner_id=placement.learner_id,
        offer_id=placement.offer_id,
        offer_kind=OfferKind(placement.offer_kind),
        round_id=str(placement.round_id) if placement.round_id else None,
        status=PlacementStatus(placement.status),
        proposed_at=placement.proposed_at,
        decided_at=placement.decided_at,
        reason=placement.reason,
    )
