"""Anrechnung end to end: a module passed at one provider counts at another, with its reason.

Partner events go through the enrolment service's real wiring; learners and providers without
Kafka use the HTTP routes, run in-process; everything lands in a real PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from openbadgeslib.ob3.verifier import OB3Verifier

from services.enrolment import api_recognition, certificates
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events, routes, signed_in
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
FIBU = "http://data.europa.eu/esco/skill/fibu"
KASSEL = "vhs-kassel"
NORD = "bz-nord"
PASSED = [
    {"module_id": "fibu-1", "title": "Finanzbuchhaltung I", "workload_hours": 40,
     "eqf_level": 4, "skills": [FIBU], "certificate": "module-certificate"},
]  # fmt: skip
TARGET = [
    {"module_id": "m1", "title": "Grundlagen", "workload_hours": 20, "eqf_level": 4,
     "skills": [], "certificate": "module-certificate"},
    {"module_id": "m2", "title": "Buchführung", "workload_hours": 40, "eqf_level": 4,
     "skills": [FIBU], "certificate": "module-certificate"},
    {"module_id": "m3", "title": "Steuern", "workload_hours": 30, "eqf_level": 4,
     "skills": [], "certificate": "module-certificate"},
]  # fmt: skip


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


@pytest.fixture
async def http(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with routes(pool, api_recognition.router) as client:
        yield client


def declared(course_id: str, declaration_id: str, **rule: Any) -> dict[str, Any]:
    return {"declaration_id": declaration_id, "course_id": course_id,
            "declared_at": datetime.now(UTC).isoformat(), **rule}  # fmt: skip


def decided(request_id: str, decision_id: str, outcome: str, modules: list[str],
            **more: Any) -> dict[str, Any]:  # fmt: skip
    return {"request_id": request_id, "decision_id": decision_id, "outcome": outcome,
            "modules": modules, "decided_at": datetime.now(UTC).isoformat(), **more}  # fmt: skip


async def feedback(pool: asyncpg.Pool) -> list[tuple[str, str, str]]:
    found = await events(pool, "zll.feedback.rejected.v1")
    return [(f["provider_id"], f["errors"][0]["field"], f["errors"][0]["message_de"])
            for f in found]  # fmt: skip


async def test_a_module_passed_at_one_provider_is_recognised_at_another(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    feed = Feed(pool)
    fibu = await feed.course("fibu", provider=KASSEL, modules=PASSED)
    target = await feed.course("kfm", provider=NORD, modules=TARGET)
    await feed.complete(fibu, "ada", ["fibu-1"])

    named = {"provider_id": KASSEL, "course_id": fibu, "module_id": "fibu-1"}
    await feed.apply(
        feed.partner("zll.recognition.declared.v1",
                     declared(target, "fibu-named", module_id="m2", named=named),
                     key=target, sender=NORD),
        # Kassel cannot declare for Nord's course.
        feed.partner("zll.recognition.declared.v1",
                     declared(target, "sneaky", module_id="m3", min_eqf_level=1),
                     key=target, sender=KASSEL),
    )  # fmt: skip
    assert [(p, f) for p, f, _ in await feedback(pool)] == [(KASSEL, "provider_id")]

    learner = signed_in("learner", "ada")
    found = await http.get(f"/learners/ada/recognition?course_id={target}", headers=learner)
    assert found.status_code == 200, found.text
    body = found.json()
    year = datetime.now(UTC).year
    assert [c["reason_de"] for c in body["covered"]] == [
        f"Modul 2 wird angerechnet: Finanzbuchhaltung I, {KASSEL}, {year}, EQF 4, 40 h"
    ]
    assert (body["remaining"], body["remaining_workload_hours"]) == (["m1", "m3"], 50)
    other = await http.get(f"/learners/bea/recognition?course_id={target}", headers=learner)
    assert other.status_code == 403

    asked = await http.post(
        "/recognition-requests", json={"learner_id": "ada", "course_id": target}, headers=learner
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    requested = await events(pool, "zll.recognition.requested.v1")
    assert [(r["provider_id"], r["modules"]) for r in requested] == [(NORD, ["m2"])]

    # The provider decides by event; a second decision that does not say so is refused.
    await feed.apply(
        feed.partner("zll.recognition.decided.v1",
                     decided(request_id, "d1", "refused", [], reason="Nachweis unleserlich"),
                     key=target, sender=NORD),
        feed.partner("zll.recognition.decided.v1", decided(request_id, "d2", "accepted", ["m2"]),
                     key=target, sender=NORD),
        feed.partner("zll.recognition.decided.v1", decided(request_id, "d3", "accepted", ["m2"]),
                     key=target, sender=KASSEL),
    )  # fmt: skip
    refusals = (await feedback(pool))[1:]
    assert [(p, f) for p, f, _ in refusals] == [(NORD, "supersedes"), (KASSEL, "request_id")]
    assert "Schon entschieden (d1)" in refusals[0][2]

    # ... and changes its mind over HTTP, saying which decision it replaces.
    nord = signed_in("provider", NORD)
    again = await http.post(
        f"/recognition-requests/{request_id}/decisions",
        json={"decision_id": "d4", "outcome": "accepted", "modules": ["m2"], "supersedes": "d1"},
        headers=nord,
    )
    assert again.status_code == 200, again.text
    assert again.json()["recognised"] == ["m2"]
    assert [d["decision_id"] for d in again.json()["decisions"]] == ["d1", "d4"]
    answered = await events(pool, "zll.recognition.answered.v1")
    assert [(a["outcome"], a["learner_id"]) for a in answered] == [
        ("refused", "ada"), ("accepted", "ada")
    ]  # fmt: skip
    late = await http.post(
        f"/recognition-requests/{request_id}/decisions",
        json={"decision_id": "d5", "outcome": "refused", "reason": "doch nicht"},
        headers=nord,
    )
    assert late.status_code == 409
    assert (
        "supersede"
        in (
            await http.post(
                f"/recognition-requests/{request_id}/decisions",
                json={"decision_id": "d5", "outcome": "refused", "reason": "doch nicht"},
                headers={**nord, "Accept-Language": "en"},
            )
        ).json()["detail"]
    )

    # Ada takes the remaining modules; the certificate says which module was recognised.
    await feed.complete(target, "ada", ["m1", "m3"])
    stored = await pool.fetchval(
        "SELECT credential::text FROM certificates WHERE course_id = $1", target
    )
    subject = json.loads(stored)["credentialSubject"]
    assert [m["moduleId"] for m in subject["modules"]] == ["m1", "m3"]
    assert [m["moduleId"] for m in subject["recognisedModules"]] == ["m2"]
    assert (subject["workloadHours"], subject["recognisedWorkloadHours"]) == (50, 40)
    # An employer's off-the-shelf Open Badges verifier reads the same, with our public key.
    async with pool.acquire() as conn:
        keys = await certificates.region_keys(conn)
    token = await pool.fetchval("SELECT jwt FROM certificates WHERE course_id = $1", target)
    badge = OB3Verifier(keys.signing.as_pem(private=False)).verify(token)
    assert "recognised from prior learning: Buchführung" in badge.achievement.description


async def test_a_rule_declared_over_http_and_nothing_to_recognise(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    feed = Feed(pool)
    target = await feed.course("kfm", provider=NORD, modules=TARGET)
    nord = signed_in("provider", NORD)
    rule = {"module_id": "m2", "skills": [FIBU], "min_eqf_level": 4, "max_age_years": 5}
    put = await http.put(f"/courses/{target}/recognitions/fibu-rule", json=rule, headers=nord)
    assert put.status_code == 200, put.text
    foreign = await http.put(
        f"/courses/{target}/recognitions/x", json=rule, headers=signed_in("provider", KASSEL)
    )
    assert foreign.status_code == 403
    listed = (await http.get(f"/courses/{target}/recognitions")).json()["items"]
    assert [(d["declaration_id"], d["min_eqf_level"]) for d in listed] == [("fibu-rule", 4)]
    nothing = await http.post(
        "/recognition-requests",
        json={"learner_id": "bea", "course_id": target},
        headers=signed_in("learner", "bea"),
    )
    assert nothing.status_code == 422
    assert "deckt" in nothing.json()["detail"]
