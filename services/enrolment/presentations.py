"""The learner's record as one verifiable presentation (VC-JOSE `vp+jwt`), checkable offline.

No I/O. The presentation envelopes every live certificate of the learner (all providers) as
`EnvelopedVerifiableCredential`s (`data:application/vc+jwt,<jws>`), and beside them the
signed status lists those certificates point to, so a verifier with nothing but the region's
JWKS checks signatures *and* revocation/suspension without calling us, as long as the lists are
within their `validUntil` (24 h). The region signs the presentation: the learner holds no key.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.jwk import OKPKey

from services.enrolment import credentials, status_list

ENVELOPE = "data:application/vc+jwt,"


def presentation(
    learner_id: str, certificate_jwts: Sequence[str], list_jwts: Sequence[str], now: datetime
) -> dict[str, Any]:
    enveloped = [
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": f"{ENVELOPE}{token}",
            "type": "EnvelopedVerifiableCredential",
        }
        for token in [*certificate_jwts, *list_jwts]
    ]
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": f"urn:zll:learner:{learner_id}",
        "validFrom": now.isoformat(),
        "verifiableCredential": enveloped,
    }


def sign(document: Mapping[str, Any], key: OKPKey, kid: str) -> str:
    header = {"alg": credentials.ALGORITHM, "kid": kid, "typ": "vp+jwt", "cty": "vp"}
    payload = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, payload, key, algorithms=[credentials.ALGORITHM])


@dataclass(frozen=True, slots=True)
class Checked:
    """Each certificate in a presentation and what an offline check says of it."""

    certificate_id: str
    verdict: credentials.Verdict


def verify(token: str, keys: Mapping[str, OKPKey], now: datetime) -> list[Checked]:
    """Offline: the presentation's signature, each certificate's, and its status bits.

    Raises ValueError when the presentation itself is not ours or is changed.
    """
    outer = credentials.verify_jws(token, keys)
    if outer is None:
        raise ValueError("the presentation is not signed by a key of this region")
    tokens = [
        str(vc.get("id", "")).removeprefix(ENVELOPE) for vc in outer.get("verifiableCredential", [])
    ]
    lists: dict[str, Mapping[str, Any]] = {}
    certificates = []
    for inner in tokens:
        payload = credentials.verify_jws(inner, keys)
        if payload is not None and "BitstringStatusListCredential" in payload.get("type", []):
            lists[str(payload["id"])] = payload
        else:
            certificates.append(inner)
    checked = []
    for inner in certificates:
        verdict = credentials.verify(inner, keys)
        if verdict.valid and verdict.credential is not None:
            failure = status_list.check(verdict.credential, lists, now)
            if failure is not None:
                verdict = credentials.Verdict(False, *failure, verdict.credential)
        credential_id = str((verdict.credential or {}).get("id", "")).removeprefix("urn:uuid:")
        checked.append(Checked(credential_id, verdict))
    return checked
