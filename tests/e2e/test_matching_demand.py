"""Regional demand: partners' reports and unplaced applicants against seats, and gap events."""

from __future__ import annotations

import csv
import io
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
from tests.kafka_tools import read_topic
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e

CHAMBER = "kammer-demandhausen"
WELDING, FORKLIFT = skill("welding"), skill("operate forklift")


async def report(region: DevStack, town: str, headcount: int, horizon: str, **what: str) -> None:
    data = {
        "report_id": str(uuid.uuid4()), "partner_id": CHAMBER, "headcount": headcount,
        "horizon": horizon, "municipality": town, **what,
    }  # fmt: skip
    await publish(
        region.bootstrap, "zll.provider.opportunities.v1", data, key=CHAMBER,
        ce_type="zll.demand.reported.v1", sender=CHAMBER,
    )  # fmt: skip


def gaps(records: list[Any], town: str) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records if r.key and r.key.decode() == town]


async def test_a_gap_crossing_the_threshold_is_published_once(region: DevStack) -> None:
    town = f"Testdorf-{uuid.uuid4().hex[:8]}"
    await report(region, town, 12, "short", skill=WELDING)  # crosses the default threshold 10
    await report(region, town, 5, "short", skill=WELDING)  # still above: no news
    await report(region, town, 11, "long", skill=FORKLIFT)  # another crossing, as a sentinel

    def done(records: list[Any]) -> bool:
        return any(g["skill"] == FORKLIFT for g in gaps(records, town))

    events = gaps(await read_topic(region.bootstrap, "zll.demand.v1", until=done), town)
    welding = [
        (g["horizon"], g["demand"], g["supply"], g["gap"]) for g in events if g["skill"] == WELDING
    ]
    # One event per horizon view the short-term report reaches, each at the first crossing.
    assert sorted(welding) == [("long", 12, 0, 12), ("medium", 12, 0, 12), ("short", 12, 0, 12)]
    assert [g["horizon"] for g in events if g["skill"] == FORKLIFT] == ["long"]

    async with client(region, "matching", "counsellor", "beate") as counsellor:
        short = (
            await counsellor.get("/demand", params={"horizon": "short", "municipality": town})
        ).json()
        long = (
            await counsellor.get("/demand", params={"horizon": "long", "municipality": town})
        ).json()
        csv_response = await counsellor.get(
            "/demand/report", params={"horizon": "long", "municipality": town}
        )
    assert [(i["key"], i["reported"], i["gap"]) for i in short["items"]] == [(WELDING, 17, 17)]
    assert [(i["key"], i["gap"]) for i in long["items"]] == [(WELDING, 17), (FORKLIFT, 11)]
    assert short["items"][0]["reported_by_month"][-1] >= 0
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert [(r["key"], r["demand"], r["supply"], r["gap"]) for r in rows] == [
        (WELDING, "17", "0", "17"),
        (FORKLIFT, "11", "0", "11"),
    ]


async def test_unplaced_applicants_are_demand_against_the_seats_of_the_course(
    region: DevStack,
) -> None:
    town = f"Kursdorf-{uuid.uuid4().hex[:8]}"
    provider = "vhs-demandhausen"
    await register_provider(region, provider, "Kassel")
    data = course(
        provider, f"schweissen-{uuid.uuid4().hex[:6]}", town, [module("m1", [WELDING])], capacity=1
    )
    await publish(
        region.bootstrap, "zll.provider.courses.v1", data, key=data["course_id"],
        ce_type="zll.course.upserted.v1", sender=provider,
    )  # fmt: skip
    async with client(region, "matching", "counsellor", "beate") as counsellor:

        async def supplied() -> list[Any]:
            # The course starts in 2030: only the long horizon counts its seats.
            params = {"municipality": town, "horizon": "long"}
            body = (await counsellor.get("/demand", params=params)).json()
            return body["items"]

        learners = [f"l-{uuid.uuid4().hex[:6]}" for _ in range(3)]
        round_ = await counsellor.post(
            "/rounds",
            json={
                "offers": [{"offer_id": data["course_id"], "capacity": 1, "rule": "first-come"}],
                "applications": [
                    {"learner_id": lid, "ranking": [data["course_id"]]} for lid in learners
                ],
            },
        )
        assert round_.json()["unplaced"] == 2
        items = await eventually(supplied)  # the course must be known before it counts
    assert [(i["key"], i["unplaced"], i["supply"], i["gap"]) for i in items] == [(WELDING, 2, 1, 1)]
