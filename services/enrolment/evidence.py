"""Recording prior learning from outside: resolve the issuer's keys and lists, check, store.

The I/O around `external.verify`: the issuer's JWKS is fetched from
`<issuer origin>/.well-known/jwks.json` (https only, small, with a timeout), the status lists
from the URLs the credential names. A verified credential is stored once, for one learner.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc.jwk import OKPKey

from services.enrolment import certificates, external, status_list
from services.enrolment.external import Evidence, Refusal, Refused
from services.enrolment.recognition import Achievement
from zll.platform.db import Connection

Fetch = Callable[[str], Awaitable[bytes]]
MAX_DOCUMENT = 2 * 1024 * 1024
_STORE_COLUMNS = (
    "credential_id, issuer_id, issuer_name, title, skills, eqf_level, workload_hours, completed_on"
)


async def fetch_https(url: str) -> bytes:
    """The default fetcher: https only, 5 s, at most 2 MiB."""
    if urlsplit(url).scheme != "https":
        raise ValueError(f"only https is fetched, not {url!r}")
    async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
        answer = await client.get(url)
    answer.raise_for_status()
    if len(answer.content) > MAX_DOCUMENT:
        raise ValueError("the document is larger than 2 MiB")
    return answer.content


def jwks_url(issuer_id: str) -> str | None:
    parts = urlsplit(issuer_id)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


async def issuer_keys(issuer_id: str, fetch: Fetch) -> dict[str, OKPKey]:
    """The issuer's Ed25519 keys by kid; empty when none can be resolved."""
    url = jwks_url(issuer_id)
    if url is None:
        return {}
    try:
        document = json.loads(await fetch(url))
        found = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and not jwk.get("d"):
                key = OKPKey.import_key(jwk)
                found[str(jwk.get("kid") or key.thumbprint())] = key
        return found
    except (ValueError, TypeError, httpx.HTTPError):
        return {}


async def fetched_lists(payload: dict[str, Any], fetch: Fetch) -> dict[str, str]:
    served = {}
    for entry in status_list.status_entries(payload):
        url = str(entry.get("statusListCredential", ""))
        if url and url not in served:
            try:
                served[url] = (await fetch(url)).decode().strip()
            except (ValueError, UnicodeDecodeError, httpx.HTTPError):
                continue  # status-unknown follows: fail closed
    return served


async def present(conn: Connection, learner_id: str, token: str, fetch: Fetch) -> Evidence:
    """Checks the credential and records it as the learner's evidence, or Refused."""
    _, claimed = external.unverified(token)
    external.check_not_ours(claimed, certificates.issuer())
    issuer_id, _ = external.issuer_of(claimed)
    keys = await issuer_keys(issuer_id, fetch)
    lists = await fetched_lists(claimed, fetch)
    evidence = external.verify(
        token,
        learner_id=learner_id,
        issuer_keys=keys,
        lists=lists,
        now=datetime.now(UTC),
        region=certificates.issuer(),
    )
    holder = await conn.fetchval(
        "SELECT learner_id FROM external_evidence WHERE credential_id = $1",
        evidence.credential_id,
    )
    if holder is not None:
        if holder != learner_id:
            raise Refused(
                Refusal(
                    "another-learner",
                    "Dieser Nachweis gehört schon einer anderen Person.",
                    "This credential is already recorded for someone else.",
                )
            )
        raise Refused(
            Refusal(
                "replayed",
                "Dieser Nachweis ist schon erfasst.",
                "This credential is already recorded.",
            )
        )
    await conn.execute(
        f"INSERT INTO external_evidence (evidence_id, learner_id, {_STORE_COLUMNS}, jwt)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (credential_id) DO NOTHING",
        uuid.uuid4(),
        learner_id,
        evidence.credential_id,
        evidence.issuer_id,
        evidence.issuer_name,
        evidence.title,
        sorted(evidence.skills),
        evidence.eqf_level,
        evidence.workload_hours,
        evidence.completed_on,
        token,
    )
    return evidence


async def evidence_of(conn: Connection, learner_id: str) -> list[Evidence]:
    rows = await conn.fetch(
        f"SELECT {_STORE_COLUMNS} FROM external_evidence WHERE learner_id = $1"
        " ORDER BY recorded_at",
        learner_id,
    )
    return [
        Evidence(
            r["credential_id"],
            r["issuer_id"],
            r["issuer_name"],
            r["title"],
            frozenset(r["skills"]),
            r["eqf_level"],
            float(r["workload_hours"]),
            r["completed_on"],
        )
        for r in rows
    ]


def achievements(found: list[Evidence]) -> list[Achievement]:
    """External evidence as achievements that only rules with `accepts_external` accept."""
    return [
        Achievement(
            e.credential_id,
            e.issuer_id,
            e.issuer_name,
            "external",
            e.credential_id,
            e.title,
            e.completed_on if e.completed_on != date.min else date(1970, 1, 1),
            e.eqf_level,
            e.workload_hours,
            e.skills,
            external=True,
        )
        for e in found
    ]
