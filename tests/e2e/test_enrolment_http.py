"""Learners, counsellors and providers use the enrolment API of the running region."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.kafka_tools import header, read_topic, send_as_partner
from tests.support.partner import course, eventually, publish_binary
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e
PROVIDER = f"vhs-e2e-{uuid.uuid4().hex[:6]}"
SKILL = "http://data.europa.eu/esco/skill/e2e-skill"


def bearer(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


async def known_course(region: DevStack, code: str, capacity: int) -> str:
    """A course of our own provider, published as a partner would, once the ledger knows it."""
    async with httpx.AsyncClient(base_url=region.layout.url("catalog")) as catalog:
        response = await catalog.put(
            f"/providers/{PROVIDER}",
            json={"name": "VHS E2E", "kind": "volkshochschule", "municipality": "Kassel"},
            headers=bearer("operator", "ops"),
        )
        assert response.status_code == 200, response.text
    data = course(code, provider=PROVIDER, capacity=capacity)
    data["modules"][0]["skills"] = [SKILL]
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    async with httpx.AsyncClient(base_url=region.layout.url("enrolment")) as enrolment:

        async def known() -> bool:
            return (await enrolment.get(f"/courses/{data['course_id']}/seats")).status_code == 200

        assert await eventually(known), "the ledger never learned the course"
    return str(data["course_id"])


@pytest.fixture(scope="module")
async def course_id(region: DevStack) -> str:
    return await known_course(region, "e2e-1", capacity=2)


@pytest.fixture
async def api(region: DevStack) -> Any:
    async with httpx.AsyncClient(base_url=region.layout.url("enrolment")) as client:
        yield client


async def test_learners_enrol_themselves_and_see_only_their_own(
    api: httpx.AsyncClient, course_id: str
) -> None:
    assert (
        await api.post("/enrolments", json={"course_id": course_id, "learner_id": "x"})
    ).status_code == 401
    other = await api.post(
        "/enrolments",
        json={"course_id": course_id, "learner_id": "bob"},
        headers=bearer("learner", "ada"),
    )
    assert other.status_code == 403

    ada = bearer("learner", "ada-e2e")
    first = await api.post(
        "/enrolments", json={"course_id": course_id, "learner_id": "ada-e2e"}, headers=ada
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "confirmed"
    enrolment_id = first.json()["enrolment_id"]
    assert (await api.get(f"/enrolments/{enrolment_id}", headers=ada)).json()[
        "status"
    ] == "confirmed"
    assert (
        await api.get(f"/enrolments/{enrolment_id}", headers=bearer("learner", "eve"))
    ).status_code == 404
    assert (
        await api.get("/learners/ada-e2e/enrolments", headers=bearer("learner", "eve"))
    ).status_code == 403
    mine = await api.get("/learners/ada-e2e/enrolments", headers=ada)
    assert [e["enrolment_id"] for e in mine.json()["items"]] == [enrolment_id]

    again = await api.post(
        "/enrolments", json={"course_id": course_id, "learner_id": "ada-e2e"}, headers=ada
    )
    assert (again.json()["status"], again.json()["reason_code"]) == ("rejected", "already-enrolled")


async def test_a_retried_post_with_an_idempotency_key_has_one_effect(
    api: httpx.AsyncClient, course_id: str
) -> None:
    headers = {**bearer("counsellor", "c-1"), "Idempotency-Key": str(uuid.uuid4())}
    body = {"course_id": course_id, "learner_id": f"l-{uuid.uuid4().hex[:6]}"}
    first = await api.post("/enrolments", json=body, headers=headers)
    second = await api.post("/enrolments", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["enrolment_id"] == second.json()["enrolment_id"]
    reused = await api.post(
        "/enrolments", json={**body, "learner_id": "someone-else"}, headers=headers
    )
    assert reused.status_code == 422


async def test_a_cancellation_over_http_promotes_the_waitlist_and_is_announced(
    region: DevStack, api: httpx.AsyncClient, course_id: str
) -> None:
    counsellor = bearer("counsellor", "c-2")
    made = []
    for n in range(3):
        body = {"course_id": course_id, "learner_id": f"w{n}-{uuid.uuid4().hex[:6]}"}
        made.append((await api.post("/enrolments", json=body, headers=counsellor)).json())
    waiting = [m for m in made if m["status"] == "waitlisted"]
    holder = next(m for m in made if m["status"] == "confirmed") if len(waiting) < 3 else None
    seats = (await api.get(f"/courses/{course_id}/seats")).json()
    assert seats["confirmed"] == seats["capacity"] == 2
    listed = (await api.get(f"/courses/{course_id}/enrolments", headers=counsellor)).json()
    to_cancel = holder or listed["items"][0]
    cancelled = await api.post(
        f"/enrolments/{to_cancel['enrolment_id']}/cancel", headers=counsellor
    )
    assert cancelled.json()["status"] == "cancelled"
    promoted = waiting[0]["enrolment_id"]
    assert (await api.get(f"/enrolments/{promoted}", headers=counsellor)).json()[
        "status"
    ] == "confirmed"

    def announced(records: list[Any]) -> bool:
        return any(
            header(r, "ce_type") == "zll.enrolment.confirmed.v1"
            and json.loads(r.value)["enrolment_id"] == promoted
            for r in records
        )

    records = await read_topic(region.bootstrap, "zll.enrolments.v1", until=announced)
    assert announced(records)
    assert (
        await api.get(f"/courses/{course_id}/enrolments", headers=bearer("provider", "vhs-x"))
    ).status_code == 403
    assert (
        await api.get(f"/courses/{course_id}/enrolments", headers=bearer("provider", PROVIDER))
    ).status_code == 200


async def test_a_completed_module_is_certified_and_verifies(
    region: DevStack, api: httpx.AsyncClient
) -> None:
    course_id = await known_course(region, "e2e-cert", capacity=5)
    learner = f"cert-{uuid.uuid4().hex[:6]}"
    enrolment_id = str(uuid.uuid4())
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
                    "requested_at": datetime.now(UTC).isoformat(),
                },
            ),
            (
                "zll.enrolment.completed.v1",
                {
                    "enrolment_id": enrolment_id,
                    "modules_passed": ["m1"],
                    "completed_at": datetime.now(UTC).isoformat(),
                },
            ),
        ],
    )
    me = bearer("learner", learner)

    async def record() -> dict[str, Any] | None:
        body = (await api.get(f"/learners/{learner}/certificates", headers=me)).json()
        return body if body.get("certificates") else None

    learning = await eventually(record)
    assert learning is not None, "no certificate was issued"
    assert (learning["total_workload_hours"], learning["skills"]) == (40, [SKILL])
    certificate = (
        await api.get(f"/certificates/{learning['certificates'][0]['certificate_id']}")
    ).json()
    assert certificate["credential"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    jwks = (await api.get("/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["crv"] == "Ed25519"
    assert "d" not in jwks["keys"][0]

    ok = await api.post(
        "/certificates/verify",
        json={"jwt": certificate["jwt"], "credential": certificate["credential"]},
    )
    assert (ok.json()["valid"], ok.json()["learner_id"]) == (True, learner)
    forged = {**certificate["credential"], "name": "Meisterbrief"}
    bad = await api.post(
        "/certificates/verify", json={"jwt": certificate["jwt"], "credential": forged}
    )
    assert (bad.json()["valid"], bad.json()["code"]) == (False, "tampered")
