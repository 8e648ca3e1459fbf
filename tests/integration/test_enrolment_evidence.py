"""A badge from outside the region counts as evidence, and recognition rules may accept it.

The issuer's JWKS and status lists are served by a fake web (the region fetches them through
the same door as in production); the routes run in-process on a real PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from services.enrolment import api_recognition, api_record, credentials, erasure
from tests.integration.databases import fresh_database
from tests.support import badges
from tests.support.enrolment import Feed, routes, signed_in
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
TARGET = [
    {"module_id": "m1", "title": "Grundlagen", "workload_hours": 20, "eqf_level": 4,
     "skills": [], "certificate": "module-certificate"},
    {"module_id": "m2", "title": "Buchführung", "workload_hours": 40, "eqf_level": 4,
     "skills": [badges.SKILL], "certificate": "module-certificate"},
]  # fmt: skip


class Web:
    """The issuer's site: its JWKS and its status lists."""

    def __init__(self) -> None:
        jwk = credentials.public_jwk(badges.KEY, badges.KID)
        self.pages: dict[str, bytes] = {
            "https://badges.example.org/.well-known/jwks.json": json.dumps({"keys": [jwk]}).encode()
        }
        self.serve_lists()

    def serve_lists(self, **changes: object) -> None:
        for url, token in badges.lists(now=NOW, **changes).items():  # type: ignore[arg-type]
            self.pages[url] = token.encode()

    async def fetch(self, url: str) -> bytes:
        if url not in self.pages:
            raise ValueError(f"404 {url}")
        return self.pages[url]


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


@pytest.fixture
def web() -> Web:
    return Web()


@pytest.fixture
async def http(pool: asyncpg.Pool, web: Web) -> AsyncIterator[httpx.AsyncClient]:
    routers = (api_record.router, api_recognition.router)
    async with routes(pool, *routers, evidence_fetch=web.fetch) as client:
        yield client


async def test_a_foreign_badge_is_evidence_once_and_a_rule_accepts_it(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    token = badges.signed(badges.badge())
    ada = signed_in("learner", "ada")
    shown = await http.post("/learners/ada/evidence", json={"jwt": token}, headers=ada)
    assert shown.status_code == 201, shown.text
    assert (shown.json()["issuer_name"], shown.json()["external"]) == ("IHK Musterstadt", True)
    assert [
        e["title"] for e in (await http.get("/learners/ada/evidence", headers=ada)).json()["items"]
    ] == ["Finanzbuchhaltung (IHK)"]

    again = await http.post("/learners/ada/evidence", json={"jwt": token}, headers=ada)
    assert (again.status_code, again.json()["type"]) == (422, "urn:zll:evidence:replayed")
    assert again.json()["detail"] == "Dieser Nachweis ist schon erfasst."
    bea = await http.post(
        "/learners/bea/evidence", json={"jwt": token}, headers=signed_in("learner", "bea", "en")
    )
    assert bea.json()["type"] == "urn:zll:evidence:another-learner"
    assert bea.json()["detail"] == "This credential is already recorded for someone else."

    feed = Feed(pool)
    target = await feed.course("kfm", provider="bz-nord", modules=TARGET)
    nord = signed_in("provider", "bz-nord")
    strict = {"module_id": "m2", "skills": [badges.SKILL], "min_eqf_level": 4}
    await http.put(f"/courses/{target}/recognitions/own-only", json=strict, headers=nord)
    path = f"/learners/ada/recognition?course_id={target}"
    assert (await http.get(path, headers=ada)).json()["covered"] == []  # external not accepted

    await http.put(
        f"/courses/{target}/recognitions/own-only",
        json={**strict, "accepts_external": True},
        headers=nord,
    )
    covered = (await http.get(path, headers=ada)).json()["covered"]
    year = badges.badge()["validFrom"][:4]
    assert [c["reason_de"] for c in covered] == [
        f"Modul 2 wird angerechnet: Finanzbuchhaltung (IHK), IHK Musterstadt, {year}, EQF 4, 40 h"
    ]


async def test_a_revoked_or_wrongly_listed_badge_is_refused_with_its_reason(
    http: httpx.AsyncClient, web: Web
) -> None:
    ada = signed_in("learner", "ada", "en")
    web.serve_lists(revoked=(42,))
    revoked = await http.post(
        "/learners/ada/evidence", json={"jwt": badges.signed(badges.badge())}, headers=ada
    )
    assert (revoked.status_code, revoked.json()["type"]) == (422, "urn:zll:evidence:revoked")
    web.serve_lists(key=badges.OTHER)
    forged_list = await http.post(
        "/learners/ada/evidence", json={"jwt": badges.signed(badges.badge())}, headers=ada
    )
    assert forged_list.json()["type"] == "urn:zll:evidence:status-list-forged"
    stranger = await http.post(
        "/learners/bea/evidence", json={"jwt": badges.signed(badges.badge())}, headers=ada
    )
    assert stranger.status_code == 403


async def test_an_erased_learner_leaves_no_presented_credential_behind(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    ada = signed_in("learner", "ada")
    token = badges.signed(badges.badge())
    assert (await http.post("/learners/ada/evidence", json={"jwt": token}, headers=ada)).is_success
    async with pool.acquire() as conn:
        pseudonym = await erasure.erase(conn, "ada")
    assert (await http.get("/learners/ada/evidence", headers=ada)).json()["items"] == []
    kept = await pool.fetchrow("SELECT learner_id, jwt, title FROM external_evidence")
    assert (kept["learner_id"], kept["jwt"], kept["title"]) == (
        pseudonym, "", "Finanzbuchhaltung (IHK)"
    )  # fmt: skip
