"""Module certificates as W3C Verifiable Credentials (Open Badges 3.0), signed with Ed25519.

No I/O: the credential is built from facts, signed as a compact JWS (VC-JOSE, `vc+jwt`) and
checked against the public keys the caller passes in.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

# "EdDSA" with an Ed25519 key: the name every deployed VC-JWT / Open Badges verifier knows
# (RFC 9864's fully-specified "Ed25519" is refused by them); both are accepted on input.
ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ["Ed25519", "EdDSA"]
# OB 3.0 §8.2.6.1: the JWT claims a VC-JWT carries beside the credential; not part of it.
JWT_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ESCO = "European Skills, Competences, Qualifications and Occupations (ESCO)"


@dataclass(frozen=True, slots=True)
class Issuer:
    id: str
    name: str
    public_url: str


@dataclass(frozen=True, slots=True)
class Passed:
    """What a learner passed in one course, as the credential will state it."""

    certificate_id: str
    learner_id: str
    course_id: str
    course_title: str
    provider_id: str
    modules: Sequence[Mapping[str, Any]]
    completed_at: datetime
    issued_at: datetime
    status: Sequence[Mapping[str, Any]] = ()  # BitstringStatusListEntry per purpose
    recognised: Sequence[Mapping[str, Any]] = ()  # modules recognised, not passed here


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to "is this credential ours and intact?", with a code a machine can act on."""

    valid: bool
    code: str  # valid | malformed | unknown-key | tampered | revoked | suspended | status-unknown
    detail: str
    credential: dict[str, Any] | None = None


def total_workload(modules: Sequence[Mapping[str, Any]]) -> float:
    return float(sum(m["workload_hours"] for m in modules))


def skills_of(modules: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted({skill for m in modules for skill in m.get("skills", [])})


def build_credential(passed: Passed, issuer: Issuer) -> dict[str, Any]:
    """An OpenBadgeCredential naming learner, modules, workload, EQF level, skills, provider."""
    modules = [
        {
            "moduleId": m["module_id"],
            "title": m["title"],
            "workloadHours": m["workload_hours"],
            "eqfLevel": m["eqf_level"],
            "skills": list(m.get("skills", [])),
            "certificate": m.get("certificate"),
        }
        for m in passed.modules
    ]
    eqf = max(m["eqf_level"] for m in passed.modules)
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": "European Qualifications Framework",
            "targetCode": str(eqf),
            "targetFramework": "EQF",
            "targetUrl": "https://europass.europa.eu/en/description-eight-eqf-levels",
            "targetType": "ext:EQFLevel",
        }
    ] + [
        {
            "type": ["Alignment"],
            "targetName": skill.rsplit("/", 1)[-1],
            "targetUrl": skill,
            "targetFramework": ESCO,
            "targetType": "ext:ESCOSkill",
        }
        for skill in skills_of(passed.modules)
    ]
    names = ", ".join(m["title"] for m in passed.modules)
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{passed.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Modulzertifikat: {passed.course_title}",
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "validFrom": passed.issued_at.isoformat(),
        "credentialSubject": {
            "id": f"urn:zll:learner:{passed.learner_id}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "identifier",
                    "hashed": False,
                    "identityHash": passed.learner_id,
                }
            ],
            "activityEndDate": passed.completed_at.isoformat(),
            "achievement": {
                "id": f"{issuer.public_url}/achievements/{passed.course_id}",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": passed.course_title,
                "description": f"Passed modules: {names}",
                "criteria": {"narrative": "Modules passed as reported by the provider."},
                "creator": {"id": f"urn:zll:provider:{passed.provider_id}", "type": ["Profile"]},
                "alignment": alignment,
            },
            "provider": passed.provider_id,
            "modules": modules,
            "workloadHours": total_workload(passed.modules),
            "eqfLevel": eqf,
            "skills": skills_of(passed.modules),
        },
    }
    if passed.recognised:
        subject = credential["credentialSubject"]
        subject["recognisedModules"] = [
            {
                "moduleId": m["module_id"],
                "title": m["title"],
                "workloadHours": m["workload_hours"],
                "eqfLevel": m["eqf_level"],
                "recognised": True,
            }
            for m in passed.recognised
        ]
        subject["recognisedWorkloadHours"] = total_workload(passed.recognised)
        recognised = ", ".join(m["title"] for m in passed.recognised)
        subject["achievement"]["description"] += f"; recognised from prior learning: {recognised}"
    if passed.status:
        credential["credentialStatus"] = [dict(entry) for entry in passed.status]
    return credential


def sign(credential: Mapping[str, Any], key: OKPKey, kid: str) -> str:
    """Compact JWS over the credential itself (VC-JOSE-COSE: `typ: vc+jwt`)."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(
        {**credential, **jwt_claims(credential)}, separators=(",", ":"), sort_keys=True
    ).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated (RFC 9864)
        return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """iss, sub, jti and nbf bound to the credential's issuer, subject, id and validFrom."""
    claims: dict[str, Any] = {}
    issuer = credential.get("issuer")
    claims["iss"] = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and subject.get("id"):
        claims["sub"] = subject["id"]
    if credential.get("id"):
        claims["jti"] = credential["id"]
    if credential.get("validFrom"):
        claims["nbf"] = int(datetime.fromisoformat(str(credential["validFrom"])).timestamp())
    return {k: v for k, v in claims.items() if v is not None}


def public_jwk(key: OKPKey, kid: str) -> dict[str, Any]:
    return {**key.as_dict(private=False), "kid": kid, "use": "sig", "alg": ALGORITHM}


def verify(
    token: str,
    keys: Mapping[str, OKPKey],
    *,
    presented: Mapping[str, Any] | None = None,
) -> Verdict:
    """Check a signed credential; `presented` is the JSON the holder showed beside it, if any."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as error:
        return Verdict(False, "malformed", f"Not a compact JWS: {error}")
    kid = header.get("kid")
    key = keys.get(str(kid)) if kid is not None else None
    if key is None:
        return Verdict(False, "unknown-key", f"Not signed by a key of this region (kid {kid!r}).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated
            decoded = jws.deserialize_compact(token, key, algorithms=ACCEPTED_ALGORITHMS)
        payload = json.loads(decoded.payload)
    except (JoseError, ValueError) as error:
        return Verdict(False, "tampered", f"The signature does not match the content: {error}")
    if not isinstance(payload, dict):
        return Verdict(False, "malformed", "The signed payload is not a JSON object.")
    credential = without_jwt_claims(payload)
    if presented is not None and _canonical(presented) != _canonical(credential):
        return Verdict(False, "tampered", "The presented credential differs from the signed one.")
    if "OpenBadgeCredential" not in credential.get("type", []):
        return Verdict(False, "malformed", "Not an OpenBadgeCredential.", credential)
    return Verdict(True, "valid", "Signed by the region and unchanged.", credential)


def verify_jws(token: str, keys: Mapping[str, OKPKey]) -> dict[str, Any] | None:
    """The signed JSON object (JWT claims removed) if a key of ours signed it, else None."""
    try:
        kid = jws.extract_compact(token.encode()).headers().get("kid")
        key = keys.get(str(kid))
        if key is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decoded = jws.deserialize_compact(token, key, algorithms=ACCEPTED_ALGORITHMS)
        payload = json.loads(decoded.payload)
    except (JoseError, ValueError):
        return None
    return without_jwt_claims(payload) if isinstance(payload, dict) else None


def without_jwt_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}


def _canonical(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
