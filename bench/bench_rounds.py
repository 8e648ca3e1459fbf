"""A DoSV-sized allocation round over HTTP: quotas on a fifth of the offers, a lottery for ties,
three waves with learners answering in between; beside a plain deferred acceptance of the same
instance without quotas, in the same process and run."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.harness import BenchContext, Result
from services.matching.domain.allocation import Quota, Unused, run_wave
from services.matching.domain.rounds import Application, Offer, PriorityRule, allocate
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

BENCH = "rounds"
GROUPS = ("wiedereinstieg", "bildungsgutschein", "Baunatal")
WISHES = 12


def _n(number: int) -> str:
    """1 000 000, as the README writes figures."""
    return f"{number:,}".replace(",", " ")


def instance(learners: int, offers: int, seed: int = 2026) -> dict[str, Any]:
    """The round's JSON body. Half the offers rank by a score (explicit list, ties in tiers
    of ten), half first-come by the hour of application (many ties): the lottery decides."""
    rng = random.Random(seed)
    offer_ids = [f"studiengang-{j}" for j in range(offers)]
    start = datetime(2026, 12, 1, tzinfo=UTC)
    applications = [
        {
            "learner_id": f"bewerber-{i}",
            "ranking": rng.sample(offer_ids, WISHES),
            "groups": [g for g in GROUPS if rng.random() < 0.15],
            "applied_at": (start + timedelta(hours=rng.randrange(24 * 30))).isoformat(),
        }
        for i in range(learners)
    ]
    applicants: dict[str, list[str]] = {o: [] for o in offer_ids}
    for a in applications:
        for o in a["ranking"]:
            applicants[o].append(str(a["learner_id"]))
    mean_seats = max(2, round(0.8 * learners / offers))
    body_offers: list[dict[str, Any]] = []
    for j, offer_id in enumerate(offer_ids):
        capacity = rng.randint(mean_seats // 2, 3 * mean_seats // 2)
        offer: dict[str, Any] = {"offer_id": offer_id, "capacity": capacity}
        if j % 2:
            listed = applicants[offer_id]
            rng.shuffle(listed)
            offer["priority"] = [listed[k : k + 10] for k in range(0, len(listed), 10)]
        else:
            offer["rule"] = "first-come"
        if j % 5 == 0:  # a fifth of the offers reserve seats
            offer["quotas"] = [
                {"group": "wiedereinstieg", "seats": max(1, capacity // 10)},
                {"group": rng.choice(GROUPS[1:]), "seats": max(1, capacity // 20),
                 "unused": rng.choice(["released", "kept"])},
            ]  # fmt: skip
        body_offers.append(offer)
    return {"offers": body_offers, "applications": applications}


def plain(body: dict[str, Any]) -> tuple[list[Offer], list[Application]]:
    """The same instance for plain deferred acceptance: no quotas, ties flattened (first-come
    by application order; tiers read left to right)."""
    offers = [
        Offer(o["offer_id"], o["capacity"], [x for tier in o["priority"] for x in tier])
        if "priority" in o
        else Offer(o["offer_id"], o["capacity"], rule=PriorityRule.FIRST_COME)
        for o in body["offers"]
    ]
    return offers, [Application(a["learner_id"], a["ranking"]) for a in body["applications"]]


def with_quotas(
    body: dict[str, Any],
) -> tuple[list[Offer], list[Application], dict[str, list[Quota]]]:
    offers = [
        Offer(o["offer_id"], o["capacity"], o.get("priority"),
              PriorityRule(o["rule"]) if "rule" in o else None)
        for o in body["offers"]
    ]  # fmt: skip
    quotas = {
        o["offer_id"]: [Quota(q["group"], q["seats"], Unused(q.get("unused", "released")))
                        for q in o["quotas"]]
        for o in body["offers"] if "quotas" in o
    }  # fmt: skip
    applications = [
        Application(
            a["learner_id"],
            a["ranking"],
            groups=frozenset(a["groups"]),
            applied_at=datetime.fromisoformat(a["applied_at"]),
        )
        for a in body["applications"]
    ]
    return offers, applications, quotas


async def answer(database_url: str, round_id: str, rng: random.Random) -> tuple[int, int]:
    """Learners answer their open proposals: 40 % accept, 15 % decline, the rest wait."""
    conn = await asyncpg.connect(database_url)
    try:
        open_ = [
            r["placement_id"]
            for r in await conn.fetch(
                "SELECT placement_id FROM placements WHERE round_id = $1 AND status = 'proposed'",
                round_id,
            )
        ]
        draws = [(p, rng.random()) for p in open_]
        accept = [p for p, x in draws if x < 0.40]
        decline = [p for p, x in draws if 0.40 <= x < 0.55]
        for status, ids in (("accepted", accept), ("declined", decline)):
            await conn.execute(
                "UPDATE placements SET status = $2, decided_at = now()"
                " WHERE placement_id = ANY($1::uuid[])",
                ids,
                status,
            )
        return len(accept), len(decline)
    finally:
        await conn.close()


async def run(ctx: BenchContext) -> list[Result]:
    learners, offers = ctx.scale(200_000, 4_000), ctx.scale(2_000, 40)
    body = instance(learners, offers)
    size = f"{_n(learners)} learners x {_n(offers)} offers x {WISHES} wishes"

    started = time.perf_counter()
    allocate(*plain(body))
    plain_s = time.perf_counter() - started
    started = time.perf_counter()
    run_wave(*with_quotas(body), seed="bench")
    quotas_s = time.perf_counter() - started
    results = [
        Result(BENCH, f"plain deferred acceptance, in process, {size}", plain_s, "s", note=size),
        Result(
            BENCH,
            f"one wave with quotas and lottery, in process, {size}",
            quotas_s,
            "s",
            baseline=f"plain deferred acceptance {plain_s:.2f} s",
            ratio=quotas_s / plain_s,
            note=f"{size}; quotas on a fifth of the offers",
        ),
    ]
    ctx.stack.start_service("matching")
    try:
        ctx.stack.wait_ready("matching")
        results += await _waves(ctx, body, plain_s, size)
    finally:
        ctx.stack.stop_service("matching")
    return results


async def _waves(
    ctx: BenchContext, body: dict[str, Any], plain_s: float, size: str
) -> list[Result]:
    token = mint_token(Settings(), role="counsellor", sub="bench")
    rng = random.Random(5)
    results: list[Result] = []
    async with httpx.AsyncClient(
        base_url=ctx.stack.layout.url("matching"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=1800,
    ) as client:
        started = time.perf_counter()
        response = await client.post(
            "/rounds", json=body | {"publish": True, "waves": 3, "seed": "bench-2026"}
        )
        seconds = [time.perf_counter() - started]
        response.raise_for_status()
        round_id = response.json()["round_id"]
        notes = [f"{_n(len(response.json()['placements']))} placements proposed"]
        for _ in range(2):
            accepted, declined = await answer(ctx.stack.database_url("matching"), round_id, rng)
            started = time.perf_counter()
            response = await client.post(f"/rounds/{round_id}/waves")
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            notes.append(
                f"after {_n(accepted)} accepts, {_n(declined)} declines;"
                f" {_n(len(response.json()['placements']))} new placements"
            )
    for number, (s, note) in enumerate(zip(seconds, notes, strict=True), start=1):
        results.append(
            Result(
                BENCH,
                f"wave {number} over HTTP (quotas, lottery, reasons, placement events)",
                s,
                "s",
                baseline=f"plain deferred acceptance {plain_s:.2f} s in process",
                ratio=s / plain_s,
                note=f"{size}; {note}",
            )
        )
    return results
