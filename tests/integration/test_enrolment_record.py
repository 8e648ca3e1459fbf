"""The learner's record leaves the region: Europass export, one offline-verifiable presentation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import jwt
import pytest
from joserfc.jwk import OKPKey

from services.enrolment import api_certificates, api_record, presentations
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, routes, signed_in
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
SKILL = "http://data.europa.eu/esco/skill/fibu"
FIBU = [
    {"module_id": "fibu-1", "title": "Finanzbuchhaltung I", "workload_hours": 40,
     "eqf_level": 4, "skills": [SKILL], "certificate": "module-certificate"},
]  # fmt: skip
EXCEL = [
    {"module_id": "xl", "title": "Tabellen", "workload_hours": 16.5, "eqf_level": 3,
     "skills": [], "certificate": "attendance"},
]  # fmt: skip


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


@pytest.fixture
async def http(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with routes(pool, api_certificates.router, api_record.router) as client:
        yield client


async def ada_with_two_certificates(pool: asyncpg.Pool) -> None:
    feed = Feed(pool)
    fibu = await feed.course("fibu", provider="vhs-kassel", modules=FIBU)
    excel = await feed.course("excel", provider="bz-nord", modules=EXCEL)
    await feed.complete(fibu, "ada", ["fibu-1"])
    await feed.complete(excel, "ada", ["xl"])


ADA = signed_in("learner", "ada")


async def test_the_europass_export_names_level_volume_skills_and_awarding_body(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    await ada_with_two_certificates(pool)
    answer = await http.get("/learners/ada/europass", headers=ADA)
    assert answer.status_code == 200, answer.text
    edcs = answer.json()["credentials"]
    assert [e["type"] for e in edcs] == [["VerifiableCredential", "EuropeanDigitalCredential"]] * 2
    claims = [c for e in edcs for c in e["credentialSubject"]["hasClaim"]]
    spec = claims[0]["specifiedBy"]
    assert (spec["volumeOfLearning"], spec["eqfLevel"]["id"]) == (
        "PT40H", "http://data.europa.eu/snb/eqf/4"
    )  # fmt: skip
    assert spec["learningOutcome"][0]["relatedESCOSkill"] == [SKILL]
    assert claims[1]["specifiedBy"]["volumeOfLearning"] == "PT16H30M"
    bodies = [c["awardedBy"]["awardingBody"][0]["id"] for c in claims]
    assert bodies == ["urn:zll:provider:vhs-kassel", "urn:zll:provider:bz-nord"]
    other = await http.get("/learners/bea/europass", headers=ADA)
    assert other.status_code == 403


async def test_the_record_verifies_offline_with_the_published_keys_alone(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    await ada_with_two_certificates(pool)
    token = (await http.get("/learners/ada/presentation", headers=ADA)).json()["jwt"]
    jwks = (await http.get("/.well-known/jwks.json")).json()  # all a verifier fetches

    # A generic JOSE library: the presentation and every enveloped credential verify.
    keys = jwt.PyJWKSet.from_dict(jwks)
    kid = jwt.get_unverified_header(token)["kid"]
    outer = jwt.decode(token, keys[kid].key, algorithms=["EdDSA"])
    inner = [vc["id"].removeprefix(presentations.ENVELOPE) for vc in outer["verifiableCredential"]]
    decoded = [
        jwt.decode(t, keys[kid].key, algorithms=["EdDSA"], options={"verify_aud": False})
        for t in inner
    ]
    kinds = sorted(d["type"][-1] for d in decoded)
    assert kinds == ["BitstringStatusListCredential"] * 2 + ["OpenBadgeCredential"] * 2

    # Our own offline reading also checks the status bits against the enclosed lists.
    ours = {k["kid"]: OKPKey.import_key(k) for k in jwks["keys"]}
    checked = presentations.verify(token, ours, datetime.now(UTC))
    assert [(c.verdict.valid, c.verdict.code) for c in checked] == [(True, "valid")] * 2

    first = checked[0].certificate_id
    await pool.execute("UPDATE certificates SET suspended_at = now() WHERE certificate_id = $1",
                       first)  # fmt: skip
    fresh = (await http.get("/learners/ada/presentation", headers=ADA)).json()["jwt"]
    assert [c.certificate_id for c in presentations.verify(fresh, ours, datetime.now(UTC))] == [
        checked[1].certificate_id
    ]

    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["holder"] = "urn:zll:learner:mallory"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(ValueError, match="not signed"):
        presentations.verify(f"{header}.{forged}.{signature}", ours, datetime.now(UTC))
