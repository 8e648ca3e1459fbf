"""A counsellor sets a learner's goal; matching recommends courses, a pathway and opportunities."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.e2e.matching_helpers import (
    client,
    course,
    eventually,
    module,
    publish,
    register_provider,
    skill,
)
from tests.kafka_tools import header, read_topic
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e

PROVIDER = "vhs-matchhausen"
EMPLOYER = "betrieb-matchhausen"
BOOK, TAX, PAYROLL = skill("bookkeeping"), skill("tax legislation"), skill("payroll")


@pytest.fixture(scope="module")
async def courses(region: DevStack) -> dict[str, str]:
    """Near Baunatal: basics then advanced (Kassel); far away in Detmold: everything at once."""
    await register_provider(region, PROVIDER, "Kassel")
    tag = uuid.uuid4().hex[:6]
    offers = {
        "basics": course(
            PROVIDER, f"basics-{tag}", "Kassel", [module("b1", [BOOK], eqf=2, hours=30)],
            start_date="2030-02-01", end_date="2030-02-28",
        ),
        "advanced": course(
            PROVIDER, f"adv-{tag}", "Kassel", [module("a1", [TAX, PAYROLL], eqf=4, hours=60)],
            start_date="2030-05-01", end_date="2030-06-30", funding=[], price_eur=90,
        ),
        "far": course(PROVIDER, f"far-{tag}", "Detmold", [module("f1", [BOOK, TAX, PAYROLL])]),
    }  # fmt: skip
    for data in offers.values():
        await publish(
            region.bootstrap, "zll.provider.courses.v1", data, key=data["course_id"],
            ce_type="zll.course.upserted.v1", sender=PROVIDER,
        )  # fmt: skip
    return {name: data["course_id"] for name, data in offers.items()}


def profile(**changes: Any) -> dict[str, Any]:
    return {
        "goal": {"skills": [BOOK, TAX, PAYROLL]},
        "municipality": "Baunatal",
        "travel_km": 25,
        "formats": ["onsite", "online"],
        "budget_eur": 100,
        "times_of_day": ["evening"],
        "life_phase": "working-age",
        "funding": ["bildungsgutschein"],
    } | changes


async def test_recommendations_close_the_gap_within_every_constraint(
    region: DevStack, courses: dict[str, str]
) -> None:
    learner = f"lea-{uuid.uuid4().hex[:8]}"
    async with client(region, "matching", "counsellor", "beate") as counsellor:
        saved = await counsellor.put(f"/learners/{learner}/profile", json=profile())
        assert saved.status_code == 200, saved.text

        async def both_courses() -> dict[str, Any] | None:
            body = (await counsellor.get(f"/learners/{learner}/recommendations")).json()
            ids = {c["course_id"] for c in body["courses"]}
            return body if {courses["basics"], courses["advanced"]} <= ids else None

        body = await eventually(both_courses)
    assert body is not None
    shown = {c["course_id"]: c for c in body["courses"]}
    assert courses["far"] not in shown  # Detmold is beyond 25 km of Baunatal
    advanced = shown[courses["advanced"]]
    assert advanced["explanation"].startswith("teaches 2 of the 3 skills your goal needs")
    assert "km away" in advanced["explanation"]
    assert "costs 90 €" in advanced["explanation"]
    assert "Bildungsgutschein accepted" in shown[courses["basics"]]["explanation"]
    path = body["pathway"]
    assert [s["course_id"] for s in path["steps"]] == [courses["basics"], courses["advanced"]]
    assert path["missing"] == []
    assert (path["total_workload_hours"], path["total_cost_eur"]) == (90, 90)


async def test_an_opportunity_that_fits_is_recommended_and_an_unknown_skill_refused(
    region: DevStack, courses: dict[str, str]
) -> None:
    learner = f"ole-{uuid.uuid4().hex[:8]}"
    good = f"praktikum-{uuid.uuid4().hex[:8]}"
    bad = f"praktikum-{uuid.uuid4().hex[:8]}"
    opportunity = {
        "opportunity_id": good, "partner_id": EMPLOYER, "kind": "internship",
        "title": "Praktikum Buchhaltung", "required_skills": [BOOK, TAX],
        "municipality": "Kassel", "seats": 2, "start_date": "2030-09-01", "revision": 1,
    }  # fmt: skip
    unknown = opportunity | {
        "opportunity_id": bad,
        "required_skills": ["http://data.europa.eu/esco/skill/no-such-skill"],
    }
    for data in (opportunity, unknown):
        await publish(
            region.bootstrap, "zll.provider.opportunities.v1", data, key=data["opportunity_id"],
            ce_type="zll.opportunity.upserted.v1", sender=EMPLOYER,
        )  # fmt: skip
    async with client(region, "matching", "learner", learner) as lea:
        await lea.put(f"/learners/{learner}/profile", json=profile(held_skills=[BOOK]))

        async def offered() -> list[Any]:
            body = (await lea.get(f"/learners/{learner}/recommendations")).json()
            return [o for o in body["opportunities"] if o["opportunity_id"] == good]

        (fit,) = await eventually(offered)
    assert fit["held"] == [BOOK]
    assert fit["learnable"] == [TAX]  # the pathway teaches it
    assert fit["explanation"].startswith("you hold 1 of the 2 skills this internship asks for")

    def refused(records: list[Any]) -> list[dict[str, Any]]:
        values = [json.loads(r.value) for r in records]
        return [v for v in values if v.get("provider_id") == EMPLOYER and any(
            "no-such-skill" in e["message"] for e in v["errors"])]  # fmt: skip

    feedback = refused(
        await read_topic(
            region.bootstrap, "zll.provider.feedback.v1", until=lambda rs: bool(refused(rs))
        )
    )
    assert feedback[0]["errors"][0]["field"] == "required_skills.0"


async def test_free_text_goals_resolve_and_unknown_skills_are_named(region: DevStack) -> None:
    learner = f"fritz-{uuid.uuid4().hex[:8]}"
    async with client(region, "matching", "learner", learner) as fritz:
        saved = await fritz.put(
            f"/learners/{learner}/profile", json=profile(goal={"text": "Buchhaltung"})
        )
        assert saved.status_code == 200, saved.text
        labels = [s["label"].lower() for s in saved.json()["goal_skills"]]
        assert any("bookkeeping" in label or "accounting" in label for label in labels)

        refused = await fritz.put(
            f"/learners/{learner}/profile",
            json=profile(held_skills=["http://data.europa.eu/esco/skill/nope"]),
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "held_skills.0"

        other = await fritz.get("/learners/someone-else/recommendations")
        assert other.status_code == 403


async def test_an_opportunity_is_proposed_and_accepted_end_to_end(region: DevStack) -> None:
    learner = f"paula-{uuid.uuid4().hex[:8]}"
    job = f"ausbildung-{uuid.uuid4().hex[:8]}"
    data = {
        "opportunity_id": job, "partner_id": EMPLOYER, "kind": "apprenticeship",
        "title": "Ausbildung Steuerfachangestellte", "required_skills": [TAX],
        "municipality": "Vellmar", "seats": 1, "start_date": "2030-08-01", "revision": 1,
    }  # fmt: skip
    await publish(
        region.bootstrap, "zll.provider.opportunities.v1", data, key=job,
        ce_type="zll.opportunity.upserted.v1", sender=EMPLOYER,
    )  # fmt: skip
    proposal = {"learner_id": learner, "offer_id": job, "offer_kind": "apprenticeship"}
    async with client(region, "matching", "counsellor", "beate") as counsellor:
        unknown = await counsellor.post("/placements", json=proposal | {"offer_id": "nirgends"})
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "offer_id"

        async def proposed() -> dict[str, Any] | None:
            response = await counsellor.post("/placements", json=proposal)
            return response.json() if response.status_code == 201 else None

        placement = await eventually(proposed)
    assert placement is not None
    async with client(region, "matching", "learner", learner) as paula:
        accepted = await paula.post(f"/placements/{placement['placement_id']}/accept")
    assert accepted.json()["status"] == "accepted"

    def mine(records: list[Any]) -> list[tuple[str | None, dict[str, Any]]]:
        return [
            (header(r, "ce_type"), json.loads(r.value))
            for r in records
            if r.key and r.key.decode() == learner
        ]

    events = mine(
        await read_topic(region.bootstrap, "zll.placements.v1", until=lambda rs: len(mine(rs)) >= 2)
    )
    assert [(t, e["offer_id"], e["offer_kind"]) for t, e in events] == [
        ("zll.placement.proposed.v1", job, "apprenticeship"),
        ("zll.placement.accepted.v1", job, "apprenticeship"),
    ]
