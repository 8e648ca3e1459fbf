"""Module certificates issued from a provider's completion report, against real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.enrolment import certificates
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
SKILL = "http://data.europa.eu/esco/skill/test-care"
MODULES = [
    {"module_id": "m1", "title": "Körperpflege", "workload_hours": 40, "eqf_level": 3,
     "skills": [SKILL], "certificate": "module-certificate"},
    {"module_id": "m2", "title": "Dokumentation", "workload_hours": 20, "eqf_level": 4,
     "skills": [], "certificate": "attendance"},
]  # fmt: skip


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


async def enrolled(feed: Feed) -> tuple[str, str]:
    course_id = await feed.course(f"cert-{uuid.uuid4().hex[:6]}", modules=MODULES)
    enrolment_id = str(uuid.uuid4())
    await feed.apply(feed.request(course_id, "ada", enrolment_id=enrolment_id))
    return course_id, enrolment_id


async def test_a_completion_issues_one_verifiable_certificate(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id, enrolment_id = await enrolled(feed)
    await feed.apply(feed.completion(course_id, enrolment_id, ["m1", "m2"]))
    await feed.apply(feed.completion(course_id, enrolment_id, ["m1"]))  # no second certificate

    certified = await events(pool, "zll.enrolment.certified.v1")
    assert len(certified) == 1
    assert (certified[0]["course_id"], certified[0]["modules"]) == (course_id, ["m1", "m2"])
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT jwt, credential::text FROM certificates WHERE certificate_id = $1",
            certified[0]["certificate_id"],
        )
        verdict = await certificates.check(conn, row["jwt"], None)
    assert (verdict.valid, verdict.code) == (True, "valid")
    assert verdict.credential is not None
    assert verdict.credential["credentialSubject"]["workloadHours"] == 60
    status = await pool.fetchval(
        "SELECT status FROM enrolments WHERE enrolment_id = $1", uuid.UUID(enrolment_id)
    )
    assert status == "completed"


async def test_a_revoked_certificate_fails_verification(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    course_id, enrolment_id = await enrolled(feed)
    await feed.apply(feed.completion(course_id, enrolment_id, ["m1"]))
    row = await pool.fetchrow("SELECT certificate_id, jwt FROM certificates")
    await pool.execute(
        "UPDATE certificates SET revoked_at = now(), revocation_reason = 'issued in error'"
    )
    async with pool.acquire() as conn:
        verdict = await certificates.check(conn, row["jwt"], None)
    assert verdict.code == "revoked"
    assert "issued in error" in verdict.detail


async def test_completions_by_strangers_or_for_foreign_modules_are_refused(
    pool: asyncpg.Pool,
) -> None:
    feed = Feed(pool)
    course_id, enrolment_id = await enrolled(feed)
    await feed.apply(
        feed.completion(course_id, enrolment_id, ["m1"], sender="vhs-other"),
        feed.completion(course_id, enrolment_id, ["m9"]),  # not a module of the course
    )
    assert await pool.fetchval("SELECT count(*) FROM certificates") == 0
    feedback = await events(pool, "zll.feedback.rejected.v1")
    assert [(f["provider_id"], f["errors"][0]["field"]) for f in feedback] == [
        ("vhs-other", "enrolment_id"),
        ("vhs-testhausen", "modules_passed"),
    ]
    # A clerk reads why, in German by default and in English on request.
    worded = [(f["errors"][0]["message_de"], f["errors"][0]["message_en"]) for f in feedback]
    assert "keine Einschreibung" in worded[0][0]
    assert "no enrolment" in worded[0][1]
    assert "m9" in worded[1][0]
    assert "gehören nicht zu" in worded[1][0]
    assert "are not modules of" in worded[1][1]
