"""An employer checks a certificate and its status with a generic library and what we publish.

The region's HTTP routes run in-process on a real PostgreSQL; the employer's side is
openbadgeslib (PyPI), given only the JWKS and the status list credentials served over HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from joserfc.jwk import OKPKey
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from services.enrolment import api_certificates, certificates, status_store
from tests.integration.databases import fresh_database
from tests.support.enrolment import Feed, events, routes
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.integration
MODULES = [
    {"module_id": "m1", "title": "Finanzbuchhaltung I", "workload_hours": 40, "eqf_level": 4,
     "skills": [], "certificate": "module-certificate"},
]  # fmt: skip


@pytest.fixture
async def pool(infra: DevStack) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_database(infra, "enrolment") as pool:
        yield pool


@pytest.fixture
async def http(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with routes(pool, api_certificates.router) as client:
        yield client


async def certified(pool: asyncpg.Pool, learner: str) -> str:
    feed = Feed(pool)
    course_id = await feed.course(f"fibu-{uuid.uuid4().hex[:6]}", modules=MODULES)
    await feed.complete(course_id, learner, ["m1"])
    found = await events(pool, "zll.enrolment.certified.v1")
    return str(found[-1]["certificate_id"])


async def employer_checks(http: httpx.AsyncClient, certificate_id: str) -> None:
    """Fetch the certificate, the JWKS and every list it names; verify offline."""
    token = (await http.get(f"/certificates/{certificate_id}")).json()["jwt"]
    jwk = (await http.get("/.well-known/jwks.json")).json()["keys"][0]
    served: dict[str, bytes] = {}
    for entry in (await http.get(f"/certificates/{certificate_id}")).json()["credential"][
        "credentialStatus"
    ]:
        url = entry["statusListCredential"]
        answer = await http.get(httpx.URL(url).path)
        assert answer.headers["content-type"] == "application/vc+jwt"
        served[url] = answer.content
    public = OKPKey.import_key(jwk).as_pem(private=False)
    OB3Verifier(public).verify(
        token, check_status=True, verify_status_list=True, download=lambda url: served[url]
    )


async def test_an_employer_verifies_status_with_a_generic_library(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    first = await certified(pool, "ada")
    second = await certified(pool, "bea")
    await employer_checks(http, first)

    async with pool.acquire() as conn:
        await status_store.suspend_certificate(conn, first, "Prüfung der Unterlagen")
    with pytest.raises(OB3VerificationError, match="'suspension' is set"):
        await employer_checks(http, first)
    await employer_checks(http, second)  # the neighbour's bit is untouched

    async with pool.acquire() as conn:
        await status_store.suspend_certificate(conn, first, None)
        await employer_checks(http, first)
        await conn.execute(
            "UPDATE certificates SET revoked_at = now(), revocation_reason = 'Irrtum'"
            " WHERE certificate_id = $1",
            first,
        )
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        await employer_checks(http, first)


async def test_our_own_check_says_suspended_and_a_list_not_begun_is_404(
    pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    assert (await http.get("/status-lists/revocation/0")).status_code == 404
    certificate_id = await certified(pool, "ada")
    assert (await http.get("/status-lists/revocation/0")).status_code == 200
    assert (await http.get("/status-lists/revocation/1")).status_code == 404
    assert (await http.get("/status-lists/expiry/0")).status_code == 422
    async with pool.acquire() as conn:
        await status_store.suspend_certificate(conn, certificate_id, "Prüfung")
        token = await conn.fetchval(
            "SELECT jwt FROM certificates WHERE certificate_id = $1", certificate_id
        )
        verdict = await certificates.check(conn, token, None)
    assert (verdict.valid, verdict.code) == (False, "suspended")
    assert "Prüfung" in verdict.detail
