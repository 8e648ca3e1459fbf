"""A learner's right to erasure: every service forgets them; their certificate still verifies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.test_enrolment_http import PROVIDER, bearer, known_course
from tests.kafka_tools import send_as_partner
from tests.support.partner import eventually
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e


async def test_an_erased_learner_is_forgotten_everywhere_but_their_certificate_verifies(
    region: DevStack,
) -> None:
    course_id = await known_course(region, f"erase-{uuid.uuid4().hex[:4]}", capacity=5)
    learner = f"erase-{uuid.uuid4().hex[:8]}"
    enrolment_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    await send_as_partner(
        region.bootstrap,
        "zll.provider.enrolments.v1",
        PROVIDER,
        course_id,
        [
            (
                "zll.enrolment.requested.v1",
                {
                    "enrolment_id": enrolment_id,
                    "course_id": course_id,
                    "learner_id": learner,
                    "requested_at": now,
                    "contact": {"email": f"{learner}@example.org", "locale": "de"},
                },
            ),
            (
                "zll.enrolment.completed.v1",
                {"enrolment_id": enrolment_id, "modules_passed": ["m1"], "completed_at": now},
            ),
        ],
    )
    me = bearer("learner", learner)
    urls = {name: region.layout.url(name) for name in ("enrolment", "matching", "notify")}
    async with httpx.AsyncClient(timeout=10) as http:
        profile = await http.put(
            f"{urls['matching']}/learners/{learner}/profile",
            json={"goal": {"text": "Pflege"}, "municipality": "Kassel"},
            headers=me,
        )
        assert profile.status_code == 200, profile.text

        async def certified() -> dict[str, Any] | None:
            body = (
                await http.get(f"{urls['enrolment']}/learners/{learner}/certificates", headers=me)
            ).json()
            return body if body.get("certificates") else None

        async def notified() -> list[Any] | None:
            body = (
                await http.get(f"{urls['notify']}/learners/{learner}/notifications", headers=me)
            ).json()
            return body["items"] or None

        record = await eventually(certified)
        assert record, "no certificate was issued"
        assert await eventually(notified), "the learner was never notified"
        certificate = record["certificates"][0]
        credential = (
            await http.get(f"{urls['enrolment']}/certificates/{certificate['certificate_id']}")
        ).json()
        seats_before = (await http.get(f"{urls['enrolment']}/courses/{course_id}/seats")).json()

        someone_else = await http.post(
            f"{urls['matching']}/learners/{learner}/erasure", headers=bearer("learner", "mallory")
        )
        assert someone_else.status_code == 403
        asked = await http.post(f"{urls['matching']}/learners/{learner}/erasure", headers=me)
        assert asked.status_code == 202, asked.text

        leftovers: set[str] = set()

        async def forgotten() -> bool:
            leftovers.clear()
            enrolments = (
                await http.get(f"{urls['enrolment']}/learners/{learner}/enrolments", headers=me)
            ).json()
            certificates = (
                await http.get(f"{urls['enrolment']}/learners/{learner}/certificates", headers=me)
            ).json()
            profile = await http.get(f"{urls['matching']}/learners/{learner}/profile", headers=me)
            inbox = await notified()
            state = {
                "enrolments": bool(enrolments["items"]),
                "certificates": bool(certificates.get("certificates")),
                "profile": profile.status_code != 404,
                "inbox": bool(inbox),
            }
            leftovers.update(k for k, held in state.items() if held)
            return not any(state.values())

        assert await eventually(forgotten, timeout=30), f"still held: {leftovers}"
        verified = await http.post(
            f"{urls['enrolment']}/certificates/verify", json={"jwt": credential["jwt"]}
        )
        assert verified.json()["valid"] is True, verified.text
        gone = await http.get(f"{urls['enrolment']}/certificates/{certificate['certificate_id']}")
        assert gone.status_code == 410
        assert (
            await http.get(f"{urls['enrolment']}/courses/{course_id}/seats")
        ).json() == seats_before
