"""A learner's certificates as European Digital Credentials (ELM v3, EDC application profile).

No I/O. One EDC per certificate, JSON-LD in the shape of the EDC application profile: the
region as issuer, the provider as awarding body, one `LearningAchievement` per module with its
`LearningAchievementSpecification` (volume of learning as an ISO 8601 duration, EQF level as
the EU's EQF concept, ESCO skills as learning outcomes). Recognised modules are claims of
their own whose awarding process says they were recognised, not assessed here.

Not signed here: Europass expects a JAdES seal by a qualified certificate, which the region
does not hold. Each EDC names the signed Open Badges credential it was made from
(`evidence` → `GET /certificates/{id}`), which is what a verifier checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "http://data.europa.eu/snb/model/context/edc-ap",
]
SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-full"
EQF = "http://data.europa.eu/snb/eqf/"
EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"


def _text(value: str, language: str = "de") -> dict[str, list[str]]:
    return {language: [value]}


def _hours(hours: float) -> str:
    whole = int(hours)
    minutes = round((hours - whole) * 60)
    return f"PT{whole}H" + (f"{minutes}M" if minutes else "")


def _organisation(urn: str, name: str) -> dict[str, Any]:
    return {"id": urn, "type": "Organisation", "legalName": _text(name)}


def _claim(
    certificate_id: str,
    module: Mapping[str, Any],
    awarding_body: Mapping[str, Any],
    completed: str,
    recognised: bool,
) -> dict[str, Any]:
    module_id = str(module["moduleId"])
    base = f"urn:zll:certificate:{certificate_id}:module:{module_id}"
    outcomes = [
        {
            "id": f"{base}:outcome:{n}",
            "type": "LearningOutcome",
            "title": _text(skill.rsplit("/", 1)[-1], "en"),
            "relatedESCOSkill": [skill],
        }
        for n, skill in enumerate(module.get("skills") or [], start=1)
    ]
    process = "anerkannt (Anrechnung)" if recognised else "bestanden"
    return {
        "id": f"{base}:achievement",
        "type": "LearningAchievement",
        "title": _text(str(module["title"])),
        "awardedBy": {
            "id": f"{base}:awarding",
            "type": "AwardingProcess",
            "awardingBody": [dict(awarding_body)],
            "awardingDate": completed,
            "description": _text(process),
        },
        "specifiedBy": {
            "id": f"{base}:specification",
            "type": "LearningAchievementSpecification",
            "title": _text(str(module["title"])),
            "volumeOfLearning": _hours(float(module["workloadHours"])),
            "eqfLevel": {
                "id": f"{EQF}{module['eqfLevel']}",
                "type": "Concept",
                "inScheme": {
                    "id": "http://data.europa.eu/snb/eqf/25831c2",
                    "type": "ConceptScheme",
                },
            },
            "learningOutcome": outcomes,
        },
    }


def european_digital_credential(
    credential: Mapping[str, Any], *, certificate_url: str
) -> dict[str, Any]:
    """The EDC for one of our Open Badges certificates (its credential JSON)."""
    subject = credential["credentialSubject"]
    certificate_id = str(credential["id"]).removeprefix("urn:uuid:")
    issuer = credential["issuer"]
    provider = str(subject.get("provider", ""))
    awarding = _organisation(f"urn:zll:provider:{provider}", provider)
    completed = str(subject.get("activityEndDate", credential.get("validFrom")))
    claims = [_claim(certificate_id, m, awarding, completed, False) for m in subject["modules"]]
    claims += [
        _claim(certificate_id, m, awarding, completed, True)
        for m in subject.get("recognisedModules", [])
    ]
    return {
        "@context": CONTEXT,
        "id": f"urn:zll:edc:{certificate_id}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSchema": [{"id": SCHEMA, "type": "ShaclValidator2017"}],
        "issuer": _organisation(str(issuer["id"]), str(issuer.get("name", issuer["id"]))),
        "validFrom": credential["validFrom"],
        "credentialSubject": {
            "id": str(subject["id"]),
            "type": "Person",
            "hasClaim": claims,
        },
        "evidence": [
            {
                "id": certificate_url,
                "type": "Evidence",
                "description": _text(
                    "Signiertes Open-Badges-3.0-Zertifikat (VC-JWT), prüfbar mit dem JWKS "
                    "der Region und ihrer Statusliste.",
                ),
            }
        ],
    }
