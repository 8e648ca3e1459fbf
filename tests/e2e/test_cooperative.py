"""The cooperative at work in the running region: a gap matching detects becomes a call, the
region proposes a consortium, the member is invited through notify and joins, the project runs
and its outcome is counted from real enrolments and certificates; the report shows it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.matching_helpers import client, course, eventually, module, publish, skill
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
WELDING = skill("welding")


async def partner_course(region: DevStack, provider: str, code: str, town: str, **more: Any) -> str:
    data = course(provider, code, town, [module("m1", [WELDING])], **more)
    await publish(region.bootstrap, "zll.provider.courses.v1", data, key=data["course_id"],
                  ce_type="zll.course.upserted.v1", sender=provider)  # fmt: skip
    return str(data["course_id"])


async def enrol_and_certify(region: DevStack, provider: str, course_id: str, n: int) -> None:
    now = datetime.now(UTC).isoformat()
    for i in range(n):
        enrolment = str(uuid.uuid4())
        for ce_type, data in (
            ("zll.enrolment.requested.v1", {"enrolment_id": enrolment, "course_id": course_id,
                                            "learner_id": f"coop-{uuid.uuid4().hex[:6]}-{i}",
                                            "requested_at": now}),
            ("zll.enrolment.completed.v1", {"enrolment_id": enrolment, "modules_passed": ["m1"],
                                            "completed_at": now}),
        ):  # fmt: skip
            await publish(region.bootstrap, "zll.provider.enrolments.v1", data, key=course_id,
                          ce_type=ce_type, sender=provider)  # fmt: skip


async def test_a_detected_gap_becomes_a_project_whose_outcome_is_counted(region: DevStack) -> None:
    town = f"Kooperationsdorf-{uuid.uuid4().hex[:6]}"
    member, chamber = f"bbs-{uuid.uuid4().hex[:6]}", f"hwk-{uuid.uuid4().hex[:6]}"
    async with client(region, "catalog", "operator", "ops") as catalog:
        for pid in (member, chamber):
            registered = await catalog.put(f"/providers/{pid}", json={
                "name": pid, "kind": "volkshochschule", "municipality": town})  # fmt: skip
            assert registered.status_code == 200, registered.text
    await partner_course(region, member, "schweissen", town, capacity=8)
    await publish(region.bootstrap, "zll.provider.opportunities.v1", {
        "report_id": str(uuid.uuid4()), "partner_id": chamber, "skill": WELDING,
        "headcount": 40, "horizon": "short", "municipality": town,
    }, key=chamber, ce_type="zll.demand.reported.v1", sender=chamber)  # fmt: skip

    async with client(region, "cooperative", "operator", "ops") as ops:
        await ops.put(f"/members/{chamber}", json={"name": "Kammer", "kind": "chamber"})

        async def detected() -> list[dict[str, Any]]:
            items = (await ops.get("/gaps", params={"limit": 500})).json()["items"]
            return [g for g in items if g["municipality"] == town and g["horizon"] == "short"]

        gaps = await eventually(detected)
        assert gaps, "the cooperative never heard of the gap"
        opened = await ops.post(
            f"/gaps/{gaps[0]['gap_id']}/call",
            json={"starts_on": "2030-01-01", "ends_on": "2030-12-31", "chamber_required": True},
        )
        assert opened.status_code == 201, opened.text
        call_id = opened.json()["call_id"]
        proposal = (await ops.get(f"/calls/{call_id}/proposals")).json()["proposals"][0]
        assert sorted(m["provider_id"] for m in proposal["members"]) == sorted([member, chamber])
        started = await ops.post(f"/calls/{call_id}/projects", json={"title": "Schweißen 2030"})
        assert started.status_code == 201, started.text
        project_id = started.json()["project_id"]

    async with client(region, "notify", "provider", member) as inbox:

        async def invited() -> list[dict[str, Any]]:
            items = (await inbox.get(f"/partners/{member}/notifications")).json()["items"]
            return [n for n in items if n["kind"] == "project.invited"]

        invitations = await eventually(invited)
        assert invitations, "the member was never invited"
        assert "Schweißen 2030" in invitations[0]["subject"]
    async with client(region, "cooperative", "provider", member) as me:
        joined = await me.post(f"/projects/{project_id}/answers",
                               json={"provider_id": member, "answer": "join"})  # fmt: skip
        assert joined.status_code == 200, joined.text
    async with client(region, "cooperative", "operator", "ops") as ops:
        for state in ("consortium", "submitted", "granted", "running"):
            moved = await ops.post(f"/projects/{project_id}/state", json={"state": state})
            assert moved.status_code == 200, moved.text
        linked = await partner_course(region, member, "schweissen-p", town, capacity=10,
                                      project_id=project_id)  # fmt: skip
        async with client(region, "enrolment", "operator", "ops") as enrolment:

            async def known() -> bool:
                return (await enrolment.get(f"/courses/{linked}/seats")).status_code == 200

            assert await eventually(known)
        await enrol_and_certify(region, member, linked, 6)

        async def counted() -> dict[str, Any] | None:
            outcome = (await ops.get(f"/projects/{project_id}")).json()["outcome"]
            return outcome if outcome["certificates"] >= 6 else None

        outcome = await eventually(counted, timeout=60)
        assert outcome is not None, "the project's outcome was never counted"
        assert (outcome["participants"], outcome["completions"]) == (6, 6)
        assert outcome["by_member_and_municipality"][0]["municipality"] == town
        report = (await ops.get("/reports/education", params={"period": "2030"})).json()
        assert any(p["project_id"] == project_id and p["participants"] == 6
                   for p in report["projects"])  # fmt: skip
