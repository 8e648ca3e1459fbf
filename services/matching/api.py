"""Matching's HTTP API for allocation rounds and placements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Depends
from zll_contracts.payloads import PlacementAccepted, PlacementDeclined, PlacementProposed
from zll_contracts.payloads.placements import OfferKind

from services.matching import store, store_counselling
from services.matching.domain import rounds
from services.matching.domain.placements import PlacementAlreadyDecided, PlacementStatus, decide
from services.matching.messages import MESSAGES
from services.matching.schemas import (
    DeclineIn,
    PlacementOut,
    PlacementPage,
    ProposalIn,
    RoundIn,
    RoundOut,
    RoundView,
)
from zll.platform.auth import Principal, require_role
from zll.platform.database import Database, Db
from zll.platform.pagination import PageRequest, pages
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Staff = Annotated[Principal, Depends(require_role("counsellor", "operator"))]
LearnerOrCounsellor = Annotated[Principal, Depends(require_role("learner", "counsellor"))]


@router.post("/rounds", response_model=RoundOut, status_code=201, tags=["rounds"])
async def run_round(db: Db, body: RoundIn, principal: Staff) -> RoundOut:
    """Run an allocation round: the learner-optimal stable matching. Counsellors and operators."""
    offers = [
        rounds.Offer(o.offer_id, o.capacity, o.priority, o.rule, o.municipality)
        for o in body.offers
    ]
    applications = [
        rounds.Application(a.learner_id, a.ranking, a.municipality) for a in body.applications
    ]
    try:
        result = rounds.allocate(offers, applications)
    except rounds.RoundRefused as refusal:
        # The rules' own messages name offers and learners exactly; they stay as written.
        fields = ", ".join(p.field for p in refusal.problems)
        raise ProblemError(
            422,
            MESSAGES("round-refused"),
            MESSAGES("invalid-request.detail", fields=fields),
            errors=[{"field": p.field, "message": p.message} for p in refusal.problems],
        ) from None
    round_id = uuid4()
    kinds = {o.offer_id: o.kind for o in body.offers}
    placements: dict[str, str] = {}
    async with db.unit_of_work() as uow:
        await store.save_round(
            uow.conn,
            round_id=round_id,
            created_by=principal.sub,
            published=body.publish,
            offers=[
                {
                    "offer_id": o.offer_id,
                    "kind": o.kind,
                    "capacity": o.capacity,
                    "filled": result.filled[o.offer_id],
                }
                for o in body.offers
            ],
            assignments=result.assignments,
            unplaced=[
                (a.learner_id, list(a.ranking))
                for a in applications
                if result.assignments[a.learner_id] is None
            ],
        )
        if body.publish:
            placements = await _propose(uow, round_id, result.assignments, kinds)
    return RoundOut(
        round_id=str(round_id),
        assignments=result.assignments,
        filled=result.filled,
        unplaced=len(result.unplaced),
        published=body.publish,
        placements=placements,
    )


async def _propose(
    uow: UnitOfWork,
    round_id: UUID | None,
    assignments: dict[str, str | None],
    kinds: dict[str, OfferKind],
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
            ),
            key=learner,
        )
    await store.propose_placements(uow.conn, rows, round_id)
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
        placements = await _propose(
            uow,
            None,
            {body.learner_id: body.offer_id},
            {body.offer_id: body.offer_kind},
        )
        placement = await store.get_placement(uow.conn, UUID(placements[body.learner_id]))
    assert placement is not None
    return _out(placement)


@router.get("/rounds/{round_id}", response_model=RoundView, tags=["rounds"])
async def get_round(db: Db, round_id: UUID, _: Staff) -> dict[str, Any]:
    async with db.connection() as conn:
        found = await store.get_round(conn, round_id)
    if found is None:
        raise ProblemError(
            404, MESSAGES("round-not-found"), MESSAGES("round-not-found.detail", round_id=round_id)
        )
    return found


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
