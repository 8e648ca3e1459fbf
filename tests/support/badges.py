"""Open Badges 3.0 credentials of an issuer outside the region, and its status lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc.jwk import OKPKey

from services.enrolment import credentials, status_list
from services.enrolment.status_list import Position

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
REGION = credentials.Issuer("https://zll.example/regions/kassel", "Region Kassel", "https://zll")
ELSEWHERE = "https://badges.example.org/issuers/ihk"
LISTS = "https://badges.example.org/status"
KEY = OKPKey.generate_key("Ed25519")
KID = "ihk-2027"
OTHER = OKPKey.generate_key("Ed25519")
SKILL = "http://data.europa.eu/esco/skill/fibu"


def badge(**changes: Any) -> dict[str, Any]:
    entries = status_list.entries(LISTS, Position(0, 42))
    credential: dict[str, Any] = {
        "@context": credentials.CONTEXT,
        "id": "urn:uuid:7e1d0c3a-0000-4000-8000-000000000042",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ELSEWHERE, "type": ["Profile"], "name": "IHK Musterstadt"},
        "validFrom": (NOW - timedelta(days=400)).isoformat(),
        "credentialSubject": {
            "id": "mailto:ada@example.org",
            "type": ["AchievementSubject"],
            "activityEndDate": (NOW - timedelta(days=400)).isoformat(),
            "workloadHours": 40,
            "achievement": {
                "id": f"{ELSEWHERE}/achievements/fibu",
                "type": ["Achievement"],
                "name": "Finanzbuchhaltung (IHK)",
                "criteria": {"narrative": "Prüfung bestanden"},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "EQF",
                        "targetCode": "4",
                        "targetFramework": "EQF",
                        "targetUrl": "https://europass.europa.eu",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "fibu",
                        "targetUrl": SKILL,
                        "targetFramework": "ESCO",
                    },
                ],
            },
        },
        "credentialStatus": entries,
    }
    credential.update(changes)
    return credential


def signed(credential: dict[str, Any], key: OKPKey = KEY, kid: str = KID) -> str:
    return credentials.sign(credential, key, kid)


def lists(
    *,
    revoked: tuple[int, ...] = (),
    suspended: tuple[int, ...] = (),
    key: OKPKey = KEY,
    now: datetime = NOW,
    size: int = status_list.LIST_BITS,
) -> dict[str, str]:
    """The issuer's two status lists, as served (compact JWS), by URL."""
    served = {}
    for purpose, bits in (("revocation", revoked), ("suspension", suspended)):
        url = status_list.list_url(LISTS, purpose, 0)
        document = status_list.list_credential(
            url=url, purpose=purpose, issuer={"id": ELSEWHERE}, set_bits=bits, now=now
        )
        document["credentialSubject"]["encodedList"] = status_list.encode(bits, size)
        served[url] = credentials.sign(document, key, KID)
    return served
