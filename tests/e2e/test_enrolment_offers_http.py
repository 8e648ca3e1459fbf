"""A provider switches a course to timed offers: a freed seat is held for the next learner,
who hears of it in their inbox and accepts it over HTTP; the region's running services."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.partner import course, eventually, publish_binary
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e
PROVIDER = f"vhs-offer-{uuid.uuid4().hex[:6]}"


def bearer(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


async def offering_course(region: DevStack, code: str) -> str:
    """A course of one seat with 48-hour offers, published as a partner would."""
    async with httpx.AsyncClient(base_url=region.layout.url("catalog")) as catalog:
        response = await catalog.put(
            f"/providers/{PROVIDER}",
            json={"name": "VHS Angebote", "kind": "volkshochschule", "municipality": "Kassel"},
            headers=bearer("operator", "ops"),
        )
        assert response.status_code == 200, response.text
    data = course(code, provider=PROVIDER, capacity=1, waitlist_promotion="offer", offer_hours=48)
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    async with httpx.AsyncClient(base_url=region.layout.url("enrolment")) as enrolment:

        async def known() -> bool:
            return (await enrolment.get(f"/courses/{data['course_id']}/seats")).status_code == 200

        assert await eventually(known), "the ledger never learned the course"
    return str(data["course_id"])


async def test_a_freed_seat_is_offered_announced_and_accepted_over_http(region: DevStack) -> None:
    course_id = await offering_course(region, "angebot-1")
    ada, ben = f"ada-{uuid.uuid4().hex[:6]}", f"ben-{uuid.uuid4().hex[:6]}"
    async with (
        httpx.AsyncClient(base_url=region.layout.url("enrolment")) as api,
        httpx.AsyncClient(base_url=region.layout.url("notify")) as notify,
    ):
        made = {}
        for learner in (ada, ben):
            body = {"course_id": course_id, "learner_id": learner}
            answer = await api.post("/enrolments", json=body, headers=bearer("learner", learner))
            made[learner] = answer.json()
        assert [made[ada]["status"], made[ben]["status"]] == ["confirmed", "waitlisted"]
        ben_id = made[ben]["enrolment_id"]
        nothing = await api.post(
            f"/enrolments/{ben_id}/offer/accept",
            headers={**bearer("learner", ben), "Accept-Language": "en"},
        )
        assert nothing.status_code == 409
        assert nothing.json()["title"] == "No open seat offer"

        await api.post(
            f"/enrolments/{made[ada]['enrolment_id']}/cancel", headers=bearer("learner", ada)
        )
        offered = (await api.get(f"/enrolments/{ben_id}", headers=bearer("learner", ben))).json()
        assert offered["status"] == "offered"
        assert offered["offer_expires_at"]
        seats = (await api.get(f"/courses/{course_id}/seats")).json()
        assert (seats["confirmed"], seats["offered"]) == (0, 1)

        async def inbox() -> list[dict[str, Any]]:
            response = await notify.get(
                f"/learners/{ben}/notifications", headers=bearer("learner", ben)
            )
            items = response.json()["items"] if response.status_code == 200 else []
            return [n for n in items if n["kind"] == "offer.made"]

        [told] = await eventually(inbox)
        assert told["subject"].startswith("Ein Platz ist für Sie reserviert")
        assert f"/enrolments/{ben_id}/offer/accept" in told["text"]

        stranger = await api.post(
            f"/enrolments/{ben_id}/offer/accept", headers=bearer("learner", "someone-else")
        )
        assert stranger.status_code == 404
        accepted = await api.post(
            f"/enrolments/{ben_id}/offer/accept", headers=bearer("learner", ben)
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "confirmed"
        seats = (await api.get(f"/courses/{course_id}/seats")).json()
        assert (seats["confirmed"], seats["offered"]) == (1, 0)
