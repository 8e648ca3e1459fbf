"""Anrechnung reaches counselling by events only, and the enrolment for the rest costs less.

Enrolment and matching each get a fresh database and their real wiring; what enrolment
announces (its outbox) is handed to matching as the records it would consume, so matching
learns certificates, declarations and decisions from events alone. The HTTP routes run
in-process.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.enrolment import api as enrolment_api
from services.enrolment import api_certificates, api_recognition
from services.matching import api_counselling, store_counselling
from services.matching.app import DEFINITION as MATCHING
from tests.e2e.matching_helpers import skill
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events
from tests.support.partner import course
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.database import Database
from zll.platform.problems import install_problem_handlers
from zll.platform.settings import Settings
from zll.platform.testing import Feed as MatchingFeed

pytestmark = pytest.mark.integration
KASSEL, NORD = "vhs-kassel", "bz-nord"
FIBU, BASICS, TAX = skill("bookkeeping"), skill("accounting"), skill("tax legislation")


def module(module_id: str, title: str, hours: int, skills: list[str]) -> dict[str, Any]:
    return {"module_id": module_id, "title": title, "workload_hours": hours, "eqf_level": 4,
            "skills": skills, "certificate": "module-certificate"}  # fmt: skip


FIBU_COURSE = course("fibu", provider=KASSEL, price_eur=300,
                     modules=[module("fibu-1", "Finanzbuchhaltung I", 40, [FIBU])])  # fmt: skip
KFM_COURSE = course("kfm", provider=NORD, price_eur=900, title="Kaufmännische Grundlagen",
                    modules=[module("m1", "Grundlagen", 20, [BASICS]),
                             module("m2", "Buchführung", 40, [FIBU]),
                             module("m3", "Steuern", 30, [TAX])])  # fmt: skip


@pytest.fixture
async def pools(infra: DevStack) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Pool]]:
    async with (
        fresh_database(infra, "enrolment") as enrolment,
        fresh_database(infra, "matching") as matching,
    ):
        yield enrolment, matching


def app_for(pool: asyncpg.Pool, service: str, *routers: Any) -> httpx.AsyncClient:
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app)
    app.state.database = Database(pool, f"/services/{service}")
    app.state.settings = Settings()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://zll")


def as_(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


async def publish(feed: Feed, matching: MatchingFeed, data: dict[str, Any]) -> None:
    """The catalog's announcement, as both services receive it."""
    now = datetime.now(UTC).isoformat()
    for target in (feed, matching):
        await target.apply(
            target.record("zll.catalog.course-published.v1", data | {"published_at": now},
                          source="/services/catalog", key=data["course_id"])
        )  # fmt: skip


async def pass_on(enrolment: asyncpg.Pool, matching: MatchingFeed, *ce_types: str) -> None:
    """What enrolment announced of these types, delivered to matching."""
    for ce_type in ce_types:
        for data in await events(enrolment, ce_type):
            await matching.apply(
                matching.record(ce_type, data, source="/services/enrolment",
                                key=data["course_id"])
            )  # fmt: skip


async def relay(enrolment: asyncpg.Pool, matching: MatchingFeed, *ce_types: str) -> None:
    """Everything enrolment announced of these types, in its order and with its event ids, as
    the relay would deliver it again and again: matching's inbox takes each once."""
    rows = await enrolment.fetch(
        "SELECT value, header_names, header_values FROM outbox ORDER BY id"
    )
    for row in rows:
        headers = dict(zip(row["header_names"], row["header_values"], strict=True))
        ce_type = headers["ce_type"].decode()
        if ce_type in ce_types:
            data = json.loads(row["value"])
            await matching.apply(
                matching.record(ce_type, data, source="/services/enrolment",
                                key=data["course_id"], ce_id=headers["ce_id"].decode())
            )  # fmt: skip


async def recommended(client: httpx.AsyncClient, learner: str) -> dict[str, Any]:
    found = await client.get(
        f"/learners/{learner}/recommendations", headers=as_("learner", learner)
    )
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def pathway(client: httpx.AsyncClient, learner: str) -> dict[str, Any]:
    path: dict[str, Any] = (await recommended(client, learner))["pathway"]
    return path


async def ada_passed_fibu_in_kassel(feed: Feed, matching: MatchingFeed) -> tuple[str, str]:
    """Both courses known to enrolment and matching; Ada passed module fibu-1 of Kassel's
    Finanzbuchhaltung course. The ids of that course and of Nord's Kaufmann course."""
    for data in (FIBU_COURSE, KFM_COURSE):
        await publish(feed, matching, data)
    fibu, kfm = FIBU_COURSE["course_id"], KFM_COURSE["course_id"]
    passed_id = str(uuid.uuid4())
    await feed.apply(feed.request(fibu, "ada", enrolment_id=passed_id, sender=KASSEL))
    done = {"enrolment_id": passed_id, "modules_passed": ["fibu-1"],
            "completed_at": datetime.now(UTC).isoformat()}  # fmt: skip
    await feed.apply(feed.partner("zll.enrolment.completed.v1", done, key=fibu, sender=KASSEL))
    return fibu, kfm


async def test_a_recognised_module_is_skipped_on_the_pathway_and_not_paid_for(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    enrolment_pool, matching_pool = pools
    feed, matching = Feed(enrolment_pool), MatchingFeed(MATCHING, matching_pool)
    # Ada passed Finanzbuchhaltung I in Kassel; Nord recognises it for its module m2.
    fibu, kfm = await ada_passed_fibu_in_kassel(feed, matching)
    enrolment = app_for(enrolment_pool, "enrolment", enrolment_api.router, api_recognition.router)
    fibu_1 = {"provider_id": KASSEL, "course_id": fibu, "module_id": "fibu-1"}
    named = {"module_id": "m2", "named": fibu_1}
    declared = await enrolment.put(
        f"/courses/{kfm}/recognitions/fibu", json=named, headers=as_("provider", NORD)
    )
    assert declared.status_code == 200, declared.text
    await pass_on(
        enrolment_pool,
        matching,
        "zll.enrolment.certified.v1",
        "zll.recognition.declaration-recorded.v1",
    )

    goal = {"goal_skills": [BASICS, FIBU, TAX], "held_skills": []}
    async with matching_pool.acquire() as conn:
        await store_counselling.save_profile(conn, "bea", goal)
        # 900 € is over Ada's budget; what remains for her after recognition is not.
        await store_counselling.save_profile(conn, "ada", goal | {"budget_eur": 600})
    counselling = app_for(matching_pool, "matching", api_counselling.router)

    # Bea has no record: the whole course, at its price.
    bea = await pathway(counselling, "bea")
    assert sorted(s["module_id"] for s in bea["steps"]) == ["m1", "m2", "m3"]
    assert (bea["total_workload_hours"], bea["total_cost_eur"], bea["skipped"]) == (90, 900, [])

    # Ada's path is shorter and cheaper, and says which module is skipped and why.
    ada = await pathway(counselling, "ada")
    year = datetime.now(UTC).year
    assert sorted(s["module_id"] for s in ada["steps"]) == ["m1", "m3"]
    assert ada["explanation"] == [
        f"Kaufmännische Grundlagen: Modul 2 wird angerechnet: Finanzbuchhaltung I, {KASSEL}, "
        f"{year}, EQF 4, 40 h"
    ]
    assert [(s["module_id"], s["decided"]) for s in ada["skipped"]] == [("m2", False)]
    assert (ada["total_workload_hours"], ada["total_cost_eur"], ada["saved_eur"]) == (50, 500, 400)
    shown = (await recommended(counselling, "ada"))["courses"]
    assert [(c["course_id"], c["cost_eur"]) for c in shown] == [(kfm, 500)]

    # Nord recognises m2 on request; Ada enrols for the rest: 50 h, 900 € × 50/90.
    asked = await enrolment.post(
        "/recognition-requests", json={"learner_id": "ada", "course_id": kfm},
        headers=as_("learner", "ada"),
    )  # fmt: skip
    assert asked.status_code == 201, asked.text
    decision = {"decision_id": "d1", "outcome": "accepted", "modules": ["m2"]}
    answered = await enrolment.post(
        f"/recognition-requests/{asked.json()['request_id']}/decisions",
        json=decision,
        headers=as_("provider", NORD),
    )
    assert answered.status_code == 200, answered.text
    rest_id = str(uuid.uuid4())
    await feed.apply(feed.request(kfm, "ada", enrolment_id=rest_id, sender=NORD))
    seen = await enrolment.get(f"/enrolments/{rest_id}", headers=as_("learner", "ada"))
    assert seen.status_code == 200, seen.text
    terms = {k: seen.json()[k] for k in ("recognised_modules", "workload_hours", "price_eur")}
    assert terms == {"recognised_modules": ["m2"], "workload_hours": 50, "price_eur": 500}

    # Matching hears the decision: m2 is now recognised, not merely recognisable.
    await pass_on(enrolment_pool, matching, "zll.recognition.answered.v1")
    decided = await pathway(counselling, "ada")
    assert [(s["module_id"], s["decided"]) for s in decided["skipped"]] == [("m2", True)]

    # The certificate for the rest lists m2 as recognised, and the event says so too.
    done = {"enrolment_id": rest_id, "modules_passed": ["m1", "m3"],
            "completed_at": datetime.now(UTC).isoformat()}  # fmt: skip
    await feed.apply(feed.partner("zll.enrolment.completed.v1", done, key=kfm, sender=NORD))
    certified = [c for c in await events(enrolment_pool, "zll.enrolment.certified.v1")
                 if c["course_id"] == kfm]  # fmt: skip
    assert [(c["modules"], c["recognised_modules"]) for c in certified] == [(["m1", "m3"], ["m2"])]


async def test_a_revoked_certificate_no_longer_earns_a_credit_and_a_suspended_one_not_meanwhile(
    pools: tuple[asyncpg.Pool, asyncpg.Pool],
) -> None:
    enrolment_pool, matching_pool = pools
    feed, matching = Feed(enrolment_pool), MatchingFeed(MATCHING, matching_pool)
    fibu, kfm = await ada_passed_fibu_in_kassel(feed, matching)
    routers = (enrolment_api.router, api_recognition.router, api_certificates.router)
    enrolment = app_for(enrolment_pool, "enrolment", *routers)
    fibu_1 = {"provider_id": KASSEL, "course_id": fibu, "module_id": "fibu-1"}
    named = {"module_id": "m2", "named": fibu_1}
    declared = await enrolment.put(
        f"/courses/{kfm}/recognitions/fibu", json=named, headers=as_("provider", NORD)
    )
    assert declared.status_code == 200, declared.text
    async with matching_pool.acquire() as conn:
        await store_counselling.save_profile(conn, "ada", {"goal_skills": [BASICS, FIBU, TAX],
                                                           "held_skills": []})  # fmt: skip
    counselling = app_for(matching_pool, "matching", api_counselling.router)
    kinds = (
        "zll.enrolment.certified.v1",
        "zll.recognition.declaration-recorded.v1",
        "zll.enrolment.certificate-suspended.v1",
        "zll.enrolment.certificate-revoked.v1",
    )

    async def after(action: str, body: dict[str, str] | None = None) -> dict[str, Any]:
        """An operator's action on Ada's certificate, what matching hears, her pathway then."""
        if action:
            changed = await enrolment.post(f"/certificates/{certificate_id}/{action}", json=body,
                                           headers=as_("operator", "op"))  # fmt: skip
            assert changed.status_code == 200, changed.text
        await relay(enrolment_pool, matching, *kinds)
        return await pathway(counselling, "ada")

    [certificate_id] = [c["certificate_id"] for c in await events(enrolment_pool, kinds[0])]
    credited = await after("")
    assert [s["module_id"] for s in credited["skipped"]] == ["m2"]
    assert sorted(s["module_id"] for s in credited["steps"]) == ["m1", "m3"]

    # Suspended while a doubt is cleared: no credit meanwhile; lifted, the credit is back.
    held = await after("suspend", {"reason": "Prüfung der Unterlagen"})
    assert sorted(s["module_id"] for s in held["steps"]) == ["m1", "m2", "m3"]
    assert (held["skipped"], held["explanation"]) == ([], [])
    lifted = await after("reinstate")
    assert [s["module_id"] for s in lifted["skipped"]] == ["m2"]
    assert lifted["explanation"] == credited["explanation"] != []

    # Revoked: Ada takes m2 again and no reason says otherwise; asked twice, told once.
    revoked = await after("revoke", {"reason": "Ausgestellt für das falsche Modul."})
    again = await after("revoke", {"reason": "noch einmal"})
    for path in (revoked, again):
        assert sorted(s["module_id"] for s in path["steps"]) == ["m1", "m2", "m3"]
        assert (path["skipped"], path["explanation"], path["total_workload_hours"]) == ([], [], 90)
    told = await events(enrolment_pool, "zll.enrolment.certificate-revoked.v1")
    assert [(t["certificate_id"], t["learner_id"], t["reason"]) for t in told] == [
        (certificate_id, "ada", "Ausgestellt für das falsche Modul.")
    ]
    suspensions = await events(enrolment_pool, "zll.enrolment.certificate-suspended.v1")
    assert [(s["suspended"], s.get("reason")) for s in suspensions] == [
        (True, "Prüfung der Unterlagen"), (False, None)
    ]  # fmt: skip
