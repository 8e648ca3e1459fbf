"""The registration rush against the running enrolment service: many learners at once on one
hot course, decided in batches, never overbooked, each told their exact place."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.test_enrolment_http import bearer, known_course
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e


async def test_a_rush_on_one_hot_course_never_overbooks_and_every_answer_is_exact(
    region: DevStack,
) -> None:
    course_id = await known_course(region, f"rush-{uuid.uuid4().hex[:6]}", capacity=5)
    counsellor = bearer("counsellor", "rush")
    async with httpx.AsyncClient(
        base_url=region.layout.url("enrolment"), headers=counsellor, timeout=60
    ) as api:

        async def enrol(n: int) -> dict[str, Any]:
            body = {"course_id": course_id, "learner_id": f"rush-{n}"}
            response = await api.post("/enrolments", json=body)
            assert response.status_code == 201, response.text
            return dict(response.json())

        answers = await asyncio.gather(*(enrol(n) for n in range(40)))
        stored = [(await api.get(f"/enrolments/{a['enrolment_id']}")).json() for a in answers]
        seats = (await api.get(f"/courses/{course_id}/seats")).json()

    assert seats == {"capacity": 5, "confirmed": 5, "waitlisted": 35, "offered": 0}
    assert sorted(a["status"] for a in answers) == ["confirmed"] * 5 + ["waitlisted"] * 35
    places = sorted(a["waitlist_position"] for a in answers if "waitlist_position" in a)
    assert places == list(range(1, 36))  # each place given once, none skipped
    # The place each learner was told is the place the ledger keeps.
    assert [a.get("waitlist_position") for a in answers] == [
        s.get("waitlist_position") for s in stored
    ]
