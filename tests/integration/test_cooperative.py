"""The cooperative at work against real PostgreSQL: a gap becomes a call, consortia are
proposed from what members offered, members join, the project runs and its outcome and the
region's report are counted from enrolments and certificates."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from zll_contracts.payloads import (
    CoursePublished,
    CourseWithdrawnFromCatalog,
    DemandGapDetected,
    EnrolmentCertified,
    EnrolmentConfirmed,
    EnrolmentWaitlisted,
)
from zll_contracts.topics import PROJECTS

from services.cooperative.app import DEFINITION, create_app
from tests.e2e.matching_helpers import course, module
from tests.integration.databases import fresh_database
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.database import Database
from zll.platform.settings import load_settings
from zll.platform.testing import Feed

pytestmark = pytest.mark.integration
# operate welding equipment; assist patients with rehabilitation
WELD = "http://data.europa.eu/esco/skill/2fcd95a4-1f9a-41cf-95a9-4701bde476b4"
CARE = "http://data.europa.eu/esco/skill/2435cec5-38ed-4ec2-8cbe-57381ffcf353"
CARING = "S3 assisting and caring"  # CARE's ESCO skill group: the report's field
NOW = datetime.now(UTC)
CATALOG, ENROLMENT = "/services/catalog", "/services/enrolment"


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "cooperative") as pool:
        yield pool


def http(pool: asyncpg.Pool, role: str = "operator", sub: str = "ops") -> httpx.AsyncClient:
    settings = load_settings("cooperative", database_url="postgresql://unused")
    app = create_app(settings)
    app.state.database = Database(pool, settings.source)
    token = mint_token(settings, role=role, sub=sub)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://coop",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def published(provider: str, code: str, town: str, skill: str, **changes: Any) -> CoursePublished:
    data = course(provider, code, town, [module("m1", [skill])], **changes)
    return CoursePublished.model_validate(data | {"published_at": NOW.isoformat()})


async def feed(pool: asyncpg.Pool, *payloads: Any, source: str) -> None:
    f = Feed(DEFINITION, pool)
    await f.apply(*[f.event(p, source=source, key=str(i)) for i, p in enumerate(payloads)])


async def events(pool: asyncpg.Pool) -> list[tuple[str, dict[str, Any]]]:
    rows = await pool.fetch(
        "SELECT header_names, header_values, value FROM outbox WHERE topic = $1 ORDER BY id",
        PROJECTS,
    )
    out = []
    for row in rows:
        headers = dict(zip(row["header_names"], row["header_values"], strict=True))
        out.append((headers["ce_type"].decode(), json.loads(row["value"])))
    return out


async def test_a_gap_becomes_a_call_a_consortium_and_a_project_counted_from_enrolments(
    pool: asyncpg.Pool,
) -> None:
    await feed(pool,
        published("bbs-lemgo", "weld", "Lemgo", WELD, capacity=15),
        published("vhs-lippe", "care", "Lemgo", CARE),
        published("drk-lippe", "care2", "Lemgo", CARE, capacity=4),
        source=CATALOG)  # fmt: skip
    await feed(pool, DemandGapDetected(
        municipality="Lemgo", skill=WELD, horizon="short", demand=30, supply=10, gap=20,
        detected_at=NOW), source="/services/matching")  # fmt: skip
    async with http(pool) as ops:
        assert (
            await ops.put(
                "/members/hwk-ostwestfalen",
                json={"name": "Handwerkskammer", "kind": "chamber", "municipality": "Bielefeld"},
            )
        ).is_success
        members = (await ops.get("/members")).json()["items"]
        assert [(m["provider_id"], m["kind"]) for m in members] == [("hwk-ostwestfalen", "chamber")]
        gaps = (await ops.get("/gaps")).json()["items"]
        assert [g["skill"] for g in gaps] == [WELD]
        opened = await ops.post(
            f"/gaps/{gaps[0]['gap_id']}/call",
            json={"starts_on": "2030-01-01", "ends_on": "2030-12-31", "chamber_required": True},
        )
        assert opened.status_code == 201, opened.text
        again = await ops.post(
            f"/gaps/{gaps[0]['gap_id']}/call",
            json={"starts_on": "2030-01-01", "ends_on": "2030-12-31"},
        )
        assert again.status_code == 409
        call = await ops.post("/calls", json={
            "title": "Schweißen und Pflege Lemgo", "skills": [WELD, CARE],
            "municipalities": ["Lemgo"], "starts_on": "2030-01-01", "ends_on": "2030-12-31",
            "chamber_required": True})  # fmt: skip
        call_id = call.json()["call_id"]
        proposals = (await ops.get(f"/calls/{call_id}/proposals")).json()
        best = proposals["proposals"][0]
        assert sorted(m["provider_id"] for m in best["members"]) == [
            "bbs-lemgo",
            "hwk-ostwestfalen",
            "vhs-lippe",
        ]  # the strongest of care, a chamber
        assert all(rule["met"] for rule in best["rules"])
        assert best["uncovered"] == []
        started = await ops.post(f"/calls/{call_id}/projects", json={"title": "Lemgo 2030"})
        assert started.status_code == 201, started.text
        project_id = started.json()["project_id"]
        refused = await ops.post(f"/projects/{project_id}/state", json={"state": "running"},
                                 headers={"Accept-Language": "en"})  # fmt: skip
        assert refused.status_code == 409
        assert "cannot move to 'running'" in refused.json()["detail"]
    async with http(pool, "provider", "vhs-lippe") as vhs:
        other = await vhs.post(f"/projects/{project_id}/answers",
                               json={"provider_id": "bbs-lemgo", "answer": "join"})  # fmt: skip
        assert other.status_code == 403
        joined = await vhs.post(f"/projects/{project_id}/answers",
                                json={"provider_id": "vhs-lippe", "answer": "join"})  # fmt: skip
        assert joined.status_code == 200, joined.text
    async with http(pool) as ops:
        for state in ("consortium", "submitted", "granted", "running"):
            moved = await ops.post(f"/projects/{project_id}/state", json={"state": state})
            assert moved.status_code == 200, moved.text
    # vhs-lippe runs a course under the project; six learners, five certified.
    linked = published("vhs-lippe", "care-p", "Lemgo", CARE, project_id=project_id, capacity=6)
    await feed(pool, linked, source=CATALOG)
    enrolments = [uuid.uuid4() for _ in range(7)]
    outcomes: list[Any] = [
        EnrolmentConfirmed(enrolment_id=e, course_id="vhs-lippe:care-p", learner_id=f"l{i}",
                           occurred_at=NOW, source="http")
        for i, e in enumerate(enrolments[:6])
    ] + [EnrolmentWaitlisted(enrolment_id=enrolments[6], course_id="vhs-lippe:care-p",
                             learner_id="l6", occurred_at=NOW, waitlist_position=1)] + [
        EnrolmentCertified(enrolment_id=e, course_id="vhs-lippe:care-p", learner_id=f"l{i}",
                           occurred_at=NOW, certificate_id=f"c{i}", modules=["m1"])
        for i, e in enumerate(enrolments[:5])
    ]  # fmt: skip
    await feed(pool, *outcomes, source=ENROLMENT)
    async with http(pool) as ops:
        project = (await ops.get(f"/projects/{project_id}")).json()
        assert project["state"] == "running"
        assert project["outcome"]["participants"] == 6
        assert project["outcome"]["certificates"] == 5
        assert [h["changed_by"] for h in project["history"]] == ["ops"] * 5
        report = (await ops.get("/reports/education", params={"period": "2030"})).json()
        region = report["region"]
        assert region["participants"] == 6
        assert region["waitlisted"] is None
        assert region["suppressed"] is True
        assert [p["participants"] for p in report["projects"]] == [6]
        care = next(
            c for c in report["cells"] if (c["municipality"], c["field"]) == ("Lemgo", CARING)
        )
        assert (care["life_phase"], care["courses"], care["seats"]) == ("working-age", 3, 22)
        assert (care["participants"], care["waitlisted"], care["completions"]) == (6, None, 5)
        [working] = report["by_life_phase"]
        assert (working["participants"], working["certificates"], working["courses"]) == (6, 5, 4)
        later = await ops.get("/reports/education", params={"period": "2031", "compare": "1"})
        [before] = later.json()["trends"]["earlier"]
        assert (before["period"], before["participants"], before["certificates"]) == ("2030", 6, 5)
        assert later.json()["trends"]["direction"]["participants"] == "falling"
        bad = await ops.get("/reports/education", params={"period": "2030-13"})
        assert bad.status_code == 422
        text = (await ops.get("/reports/education.csv", params={"period": "2030"})).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["period", "level", "life_phase", "municipality", "field", "courses",
                             "seats", "participants", "waitlisted", "waitlist_pressure",
                             "completions", "certificates", "suppressed"]  # fmt: skip
    region_row = next(r for r in rows if r["level"] == "region")
    assert region_row["waitlisted"] == ""
    assert region_row["participants"] == "6"
    kinds = [t for t, _ in await events(pool)]
    assert kinds.count("zll.project.member-invited.v1") == 3
    assert "zll.project.member-answered.v1" in kinds


async def test_a_run_of_withdrawals_takes_its_courses_off_and_a_stale_revision_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    def withdrawn(code: str, revision: int) -> CourseWithdrawnFromCatalog:
        data = published("vhs-a", code, "Kassel", WELD, revision=revision).model_dump(mode="json")
        data |= {"withdrawn_at": NOW.isoformat(), "reason": "Dozent fehlt"}
        del data["published_at"]
        return CourseWithdrawnFromCatalog.model_validate(data)

    await feed(pool, published("vhs-a", "sw1", "Kassel", WELD, revision=1),
               published("vhs-a", "sw2", "Kassel", WELD, revision=1), source=CATALOG)  # fmt: skip
    await feed(pool, withdrawn("sw1", 3), withdrawn("sw2", 2), withdrawn("sw1", 2),
               source=CATALOG)  # fmt: skip

    rows = await pool.fetch("SELECT course_id, revision, live FROM offered_courses ORDER BY 1")
    assert [tuple(r) for r in rows] == [("vhs-a:sw1", 3, False), ("vhs-a:sw2", 2, False)]


async def test_courses_stored_with_their_first_skill_as_field_are_regrouped_by_the_report(
    pool: asyncpg.Pool,
) -> None:
    """A course stored before fields were skill groups (its first skill's URI as field) is
    counted under its skill group, as a new one is; and a new one is stored with it."""
    await feed(pool, published("bbs-lemgo", "weld", "Lemgo", WELD, capacity=15), source=CATALOG)
    await pool.execute(
        "INSERT INTO offered_courses (course_id, provider_id, revision, live, title,"
        " municipality, skills, field, target_groups, capacity, start_date, end_date)"
        " SELECT 'old:weld', 'old', 1, true, 'Schweißen (alt)', municipality, skills, $1,"
        " target_groups, 10, start_date, end_date FROM offered_courses",
        WELD,
    )
    assert await pool.fetchval("SELECT field FROM offered_courses WHERE course_id <> 'old:weld'") \
        == "S8 working with machinery and specialised equipment"  # fmt: skip
    async with http(pool) as ops:
        report = (await ops.get("/reports/education", params={"period": "2030"})).json()
    assert [(c["field"], c["courses"]) for c in report["cells"]] == [
        ("S8 working with machinery and specialised equipment", 2)
    ]
    assert await pool.fetchval("SELECT count(*) FROM offered_courses WHERE field LIKE 'http%'") == 0
