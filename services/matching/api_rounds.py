"""Matching's HTTP API for allocation rounds: quotas, a published lottery seed, waves, reasons.

A round is never changed once run: a re-run is a new round that names the one it `replaces`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends
from zll_contracts.payloads import PlacementDeclined
from zll_contracts.payloads.placements import OfferKind

from services.matching import store_rounds
from services.matching.api import propose_all
from services.matching.domain import allocation, reasons, rounds
from services.matching.messages import MESSAGES
from services.matching.offload import off_loop as _off_loop
from services.matching.round_texts import explain_all
from services.matching.schemas import OutcomeOut, RoundIn, RoundOut, RoundView
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.errors import Problem
from zll.platform.problems import ProblemError
from zll.platform.unit_of_work import UnitOfWork

router = APIRouter()
Staff = Annotated[Principal, Depends(require_role("counsellor", "operator"))]
Anyone = Annotated[Principal, Depends(require_role("learner", "counsellor", "operator"))]
_INSTANCE_FIELDS = {"offers", "applications"}


@router.post("/rounds", response_model=RoundOut, status_code=201, tags=["rounds"])
async def run_round(db: Db, body: RoundIn, principal: Staff) -> RoundOut:
    """Run an allocation round's first wave: the learner-optimal stable matching under the
    offers' quotas, ties broken by the lottery of `seed`. Counsellors and operators."""
    instance = await _off_loop(lambda: body.model_dump(mode="json", include=_INSTANCE_FIELDS))
    offers, applications, quotas = await _off_loop(_domain, instance)
    _refuse(await _off_loop(_problems, body, offers, applications, quotas))
    seed = body.seed or secrets.token_hex(16)
    wave = await _off_loop(allocation.run_wave, offers, applications, quotas, seed)
    round_id = uuid4()
    async with db.unit_of_work() as uow:
        if body.replaces is not None and not await store_rounds.round_exists(
            uow.conn, body.replaces
        ):
            _refuse([Problem("replaces", "no such round")])
        await store_rounds.save_round(
            uow.conn,
            round_id=round_id,
            created_by=principal.sub,
            published=body.publish,
            seed=seed,
            waves=body.waves,
            replaces=body.replaces,
            applicants=len(applications),
            instance=await _off_loop(json.dumps, instance),
        )
        out = await _save_wave(uow, round_id, 1, instance, offers, applications, wave)
        if body.publish:
            out["placements"] = await propose_all(
                uow, round_id, _placed(wave.assignments), _kinds(instance), wave=1
            )
    return RoundOut(**out, published=body.publish, seed=seed, waves=body.waves)


@router.post("/rounds/{round_id}/waves", response_model=RoundOut, status_code=201, tags=["rounds"])
async def next_wave(db: Db, round_id: UUID, _: Staff) -> RoundOut:
    """Run the round's next wave on what remains: accepted places stay, declined places (and
    the wishes below them) are gone, everyone else keeps every wish and their held place."""
    async with db.unit_of_work() as uow:
        found = await store_rounds.lock_round(uow.conn, round_id)
        if found is None:
            raise _not_found(round_id)
        if found["wave"] >= found["waves"] or found["instance"] is None:
            raise ProblemError(
                409,
                MESSAGES("round-finished"),
                MESSAGES("round-finished.detail", round_id=round_id, waves=found["waves"]),
            )
        instance = await _off_loop(json.loads, found["instance"])
        offers, applications, quotas = await _off_loop(_domain, instance)
        live: dict[str, str] = {}
        accepted: dict[str, str] = {}
        declined: dict[str, frozenset[str]] = {}
        for learner, offer_id, status in await store_rounds.answers(uow.conn, round_id):
            if status == "accepted":
                accepted[learner] = offer_id
            elif status == "declined":
                declined[learner] = declined.get(learner, frozenset()) | {offer_id}
            if status != "declined":
                live[learner] = offer_id
        number = found["wave"] + 1
        answers = allocation.Answers(accepted, declined)
        wave = await _off_loop(
            allocation.run_wave, offers, applications, quotas, found["seed"], answers
        )
        moved = {
            learner: offer_id
            for learner, offer_id in _placed(wave.assignments).items()
            if live.get(learner) != offer_id
        }
        await _supersede(uow, round_id, list(moved), number)
        placements = await propose_all(uow, round_id, moved, _kinds(instance), wave=number)
        out = await _save_wave(uow, round_id, number, instance, offers, applications, wave)
        out["placements"] = placements
    return RoundOut(**out, published=found["published"], seed=found["seed"], waves=found["waves"])


@router.get("/rounds/{round_id}", response_model=RoundView, tags=["rounds"])
async def get_round(db: Db, round_id: UUID, _: Staff) -> dict[str, Any]:
    """A round as published: its seed, waves, who got what and each offer's cut-off ranks."""
    async with db.connection() as conn:
        found = await store_rounds.get_round(conn, round_id)
    if found is None:
        raise _not_found(round_id)
    return found


@router.get("/rounds/{round_id}/learners/{learner_id}", response_model=OutcomeOut, tags=["rounds"])
async def learner_outcome(db: Db, round_id: UUID, learner_id: str, principal: Anyone) -> OutcomeOut:
    """Why the learner got what they got in the round's latest wave, in German and English
    (the learner themselves, counsellors, operators)."""
    if principal.role == "learner" and principal.sub != learner_id:
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-outcome-only"))
    async with db.connection() as conn:
        found = await store_rounds.outcome(conn, round_id, learner_id)
    if found is None:
        raise ProblemError(
            404,
            MESSAGES("outcome-not-found"),
            MESSAGES("outcome-not-found.detail", round_id=round_id, learner_id=learner_id),
        )
    number, stored, cutoffs = found
    outcome = _outcome(learner_id, stored, cutoffs)
    return OutcomeOut(
        round_id=str(round_id),
        wave=number,
        learner_id=learner_id,
        offer_id=outcome.offer_id,
        wish=outcome.wish,
        rank=outcome.rank,
        missed=[
            {"wish": m.wish, "offer_id": m.offer_id, "rank": m.rank, "withdrawn": m.withdrawn}
            for m in outcome.missed
        ],
        explanation=explain_all(outcome),
    )


# --- the instance, its checks, and what a wave stores ------------------------------------


def _domain(
    instance: dict[str, Any],
) -> tuple[list[rounds.Offer], list[rounds.Application], dict[str, list[allocation.Quota]]]:
    offers = [
        rounds.Offer(o["offer_id"], o["capacity"], o["priority"], o["rule"], o["municipality"])
        for o in instance["offers"]
    ]
    quotas = {
        o["offer_id"]: [
            allocation.Quota(q["group"], q["seats"], allocation.Unused(q["unused"]))
            for q in o["quotas"]
        ]
        for o in instance["offers"]
        if o["quotas"]
    }
    applications = [
        rounds.Application(
            a["learner_id"],
            tuple(a["ranking"]),
            a["municipality"],
            frozenset(a["groups"]),
            datetime.fromisoformat(a["applied_at"]) if a["applied_at"] else None,
        )
        for a in instance["applications"]
    ]
    return offers, applications, quotas


def _problems(
    body: RoundIn,
    offers: list[rounds.Offer],
    applications: list[rounds.Application],
    quotas: dict[str, list[allocation.Quota]],
) -> list[Problem]:
    try:
        rounds.check_round(offers, applications)
        problems: list[Problem] = []
    except rounds.RoundRefused as refusal:
        problems = list(refusal.problems)
    problems += allocation.check_quotas(offers, quotas)
    timed = {a.applied_at is not None for a in applications}
    if len(timed) > 1:
        problems.append(Problem("applications.applied_at", "give it for every application or none"))
    if body.waves > 1 and not body.publish:
        problems.append(Problem("waves", "waves need publish: learners answer their placements"))
    return problems


def _refuse(problems: list[Problem]) -> None:
    if not problems:
        return
    # The rules' own messages name offers and learners exactly; they stay as written.
    fields = ", ".join(p.field for p in problems)
    raise ProblemError(
        422,
        MESSAGES("round-refused"),
        MESSAGES("invalid-request.detail", fields=fields),
        errors=[{"field": p.field, "message": p.message} for p in problems],
    )


async def _save_wave(
    uow: UnitOfWork,
    round_id: UUID,
    number: int,
    instance: dict[str, Any],
    offers: list[rounds.Offer],
    applications: list[rounds.Application],
    wave: allocation.Wave,
) -> dict[str, Any]:
    """Store the wave's result and reasons; the reasons are worked out off the event loop."""
    stored, out = await _off_loop(_summarise, instance, offers, applications, wave)
    await store_rounds.save_wave(uow.conn, round_id=round_id, wave=number, **stored)
    return {"round_id": str(round_id), "wave": number, **out}


def _summarise(
    instance: dict[str, Any],
    offers: list[rounds.Offer],
    applications: list[rounds.Application],
    wave: allocation.Wave,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what `save_wave` stores, what the answer says) for one wave."""
    cutoffs = {
        offer_id: [asdict(c) for c in blocks]
        for offer_id, blocks in reasons.cutoffs(offers, wave).items()
    }
    filled: dict[str, int] = dict.fromkeys((o.offer_id for o in offers), 0)
    for offer_id in wave.assignments.values():
        if offer_id is not None:
            filled[offer_id] += 1
    outcomes = reasons.outcomes(offers, applications, wave)
    stored = dict(
        offers=[
            {
                "offer_id": o["offer_id"],
                "kind": o["kind"],
                "capacity": o["capacity"],
                "filled": filled[o["offer_id"]],
            }
            for o in instance["offers"]
        ],
        assignments=wave.assignments,
        cutoffs=cutoffs,
        unplaced=[
            (a.learner_id, list(a.ranking))
            for a in applications
            if wave.assignments[a.learner_id] is None
        ],
        outcomes=[
            (o.learner_id, _stored(o, a)) for o, a in zip(outcomes, applications, strict=True)
        ],
    )
    out = {
        "assignments": wave.assignments,
        "filled": filled,
        "unplaced": sum(1 for o in wave.assignments.values() if o is None),
        "cutoffs": cutoffs,
    }
    return stored, out


def _stored(outcome: reasons.Outcome, application: rounds.Application) -> dict[str, Any]:
    return {
        "offer_id": outcome.offer_id,
        "wish": outcome.wish,
        "rank": outcome.rank,
        "groups": sorted(application.groups),
        "missed": [[m.wish, m.offer_id, m.rank, m.withdrawn] for m in outcome.missed],
    }


def _outcome(
    learner_id: str, stored: dict[str, Any], cutoffs: dict[str, list[dict[str, Any]]]
) -> reasons.Outcome:
    missed = [
        reasons.Missed(
            wish,
            offer_id,
            rank,
            withdrawn,
            tuple(reasons.BlockCutoff(**c) for c in cutoffs.get(offer_id, [])),
        )
        for wish, offer_id, rank, withdrawn in stored["missed"]
    ]
    return reasons.Outcome(
        learner_id,
        stored["offer_id"],
        stored["wish"],
        stored["rank"],
        tuple(missed),
        frozenset(stored["groups"]),
    )


async def _supersede(uow: UnitOfWork, round_id: UUID, learners: list[str], number: int) -> None:
    """A learner placed at a better wish no longer holds the place proposed before: it is
    declined on their behalf (their ranking said so), and its seat goes back."""
    reason = f"superseded: a better wish came through in wave {number}"
    now = datetime.now(UTC)
    for row in await store_rounds.supersede(uow.conn, round_id, learners, reason):
        uow.publish(
            PlacementDeclined(
                placement_id=str(row["placement_id"]),
                learner_id=row["learner_id"],
                offer_id=row["offer_id"],
                offer_kind=OfferKind(row["offer_kind"]),
                round_id=str(round_id),
                occurred_at=row["decided_at"] or now,
                reason=reason,
                wave=row["wave"],
            ),
            key=row["learner_id"],
        )


def _placed(assignments: dict[str, str | None]) -> dict[str, str]:
    return {learner: offer for learner, offer in assignments.items() if offer is not None}


def _kinds(instance: dict[str, Any]) -> dict[str, OfferKind]:
    return {o["offer_id"]: OfferKind(o["kind"]) for o in instance["offers"]}


def _not_found(round_id: UUID) -> ProblemError:
    return ProblemError(
        404, MESSAGES("round-not-found"), MESSAGES("round-not-found.detail", round_id=round_id)
    )
