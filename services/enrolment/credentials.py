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

# RFC 9864's fully-specified name for Ed25519 signatures; "EdDSA" is still accepted on input.
ALGORITHM = "Ed25519"
ACCEPTED_ALGORITHMS = ["Ed25519", "EdDSA"]
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


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to "is this credential ours and intact?", with a code a machine can act on."""

    valid: bool
    code: str  # valid | malformed | unknown-key | tampered | revoked
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
    return {
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
        "credentialStatus": {
            "id": f"{issuer.public_url}/certificates/{passed.certificate_id}",
            "type": "ZllCertificateStatus",
        },
    }


def sign(credential: Mapping[str, Any], key: OKPKey, kid: str) -> str:
    """Compact JWS over the credential itself (VC-JOSE-COSE: `typ: vc+jwt`)."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(credential, separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])


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
        credential = json.loads(decoded.payload)
    except (JoseError, ValueError) as error:
        return Verdict(False, "tampered", f"The signature does not match the content: {error}")
    if presented is not None and _canonical(presented) != _canonical(credential):
        return Verdict(False, "tampered", "The presented credential differs from the signed one.")
    if "OpenBadgeCredential" not in credential.get("type", []):
        return Verdict(False, "malformed", "Not an OpenBadgeCredential.", credential)
    return Verdict(True, "valid", "Signed by the region and unchanged.", credential)


def _canonical(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
