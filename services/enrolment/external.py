"""Prior learning from outside: checking an Open Badges 3.0 / W3C VC-JWT issued elsewhere.

No I/O: the caller resolves the issuer's keys and fetches the status lists the credential
names, and passes them in. Every refusal has a code a machine acts on and a reason in German
and English; what passes becomes *external* evidence, never a certificate of the region.
"""

from __future__ import annotations

import json
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from services.enrolment import credentials, status_list

ESCO_SKILL = "http://data.europa.eu/esco/skill/"
_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "$": "s"})


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # malformed | unknown-issuer | wrong-key | forged | expired | not-yet-valid |
    # revoked | suspended | status-unknown | status-list-forged | look-alike | own-credential |
    # another-learner | replayed
    message_de: str
    message_en: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the region records of a verified outside credential."""

    credential_id: str
    issuer_id: str
    issuer_name: str
    title: str
    skills: frozenset[str]
    eqf_level: int
    workload_hours: float
    completed_on: date


class Refused(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message_en)
        self.refusal = refusal


def _no(code: str, de: str, en: str) -> Refused:
    return Refused(Refusal(code, de, en))


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload, unchecked: only to find whose keys to fetch."""
    try:
        found = jws.extract_compact(token.encode())
        payload = json.loads(found.payload)
    except (JoseError, ValueError) as error:
        raise _no("malformed", "Kein signierter Nachweis (JWS) lesbar.",
                  f"Not a readable signed credential (JWS): {error}") from error  # fmt: skip
    if not isinstance(payload, dict):
        raise _no("malformed", "Der Nachweis ist kein JSON-Objekt.", "Not a JSON object.")
    return dict(found.headers()), payload


def issuer_of(payload: Mapping[str, Any]) -> tuple[str, str]:
    issuer = payload.get("issuer")
    if isinstance(issuer, Mapping):
        return str(issuer.get("id", "")), str(issuer.get("name", issuer.get("id", "")))
    return str(issuer or ""), str(issuer or "")


def _skeleton(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLE)


def check_not_ours(payload: Mapping[str, Any], region: credentials.Issuer) -> None:
    """The region's own certificates are checked at /certificates/verify; an issuer that
    looks like the region but is not it is a look-alike."""
    issuer_id, name = issuer_of(payload)
    if issuer_id == region.id:
        raise _no(
            "own-credential",
            "Das ist ein Zertifikat der Region; prüfen Sie es mit POST /certificates/verify.",
            "This is a certificate of the region; check it at POST /certificates/verify.",
        )
    if _skeleton(issuer_id) == _skeleton(region.id) or _skeleton(name) == _skeleton(region.name):
        raise _no("look-alike",
                  f"Der Aussteller „{issuer_id}“ gibt sich als die Region aus.",
                  f"The issuer {issuer_id!r} poses as the region.")  # fmt: skip


def verify(
    token: str,
    *,
    learner_id: str,
    issuer_keys: Mapping[str, OKPKey],
    lists: Mapping[str, str],
    now: datetime,
    region: credentials.Issuer,
) -> Evidence:
    """The evidence, or Refused saying exactly why not.

    `issuer_keys` are the keys published by the issuer the credential names (by kid);
    `lists` the status list credentials (compact JWS) fetched from the URLs it names.
    """
    header, claimed = unverified(token)
    check_not_ours(claimed, region)
    signed = _signed_by_issuer(token, header, issuer_keys)
    payload = credentials.without_jwt_claims(signed)
    if "VerifiableCredential" not in payload.get("type", []):
        raise _no("malformed", "Kein Verifiable Credential.", "Not a Verifiable Credential.")
    _check_window(payload, signed, now)
    _check_subject(payload, learner_id)
    _check_status(payload, issuer_keys, lists, now)
    return _evidence(payload)


def _signed_by_issuer(
    token: str, header: Mapping[str, Any], keys: Mapping[str, OKPKey]
) -> dict[str, Any]:
    if not keys:
        raise _no("unknown-issuer", "Die Schlüssel des Ausstellers sind nicht auffindbar.",
                  "The issuer's keys cannot be resolved.")  # fmt: skip
    kid = header.get("kid")
    key = keys.get(str(kid)) if kid is not None else next(iter(keys.values()))
    if key is None:
        raise _no("wrong-key", f"Der Aussteller veröffentlicht keinen Schlüssel „{kid}“.",
                  f"The issuer publishes no key {kid!r}.")  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decoded = jws.deserialize_compact(
                token, key, algorithms=credentials.ACCEPTED_ALGORITHMS
            )
    except (JoseError, ValueError) as error:
        raise _no("forged", "Die Signatur passt nicht zum Inhalt.",
                  f"The signature does not match the content: {error}") from error  # fmt: skip
    payload = json.loads(decoded.payload)
    if not isinstance(payload, dict):
        raise _no("malformed", "Der Nachweis ist kein JSON-Objekt.", "Not a JSON object.")
    return payload


def _when(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).astimezone()
    return datetime.fromisoformat(str(value)) if value else None


def _check_window(payload: Mapping[str, Any], claims: Mapping[str, Any], now: datetime) -> None:
    until = _when(payload.get("validUntil")) or _when(claims.get("exp"))
    if until is not None and until < now:
        raise _no("expired", f"Abgelaufen am {until.date().isoformat()}.",
                  f"Expired on {until.date().isoformat()}.")  # fmt: skip
    start = _when(payload.get("validFrom")) or _when(claims.get("nbf"))
    if start is not None and start > now:
        raise _no("not-yet-valid", f"Erst gültig ab {start.date().isoformat()}.",
                  f"Not valid before {start.date().isoformat()}.")  # fmt: skip


def _check_subject(payload: Mapping[str, Any], learner_id: str) -> None:
    """A credential that names a learner of the region must name this one (that it was not
    recorded for another learner before is the store's check)."""
    subject = payload.get("credentialSubject") or {}
    subject_id = str(subject.get("id", ""))
    if subject_id.startswith("urn:zll:learner:") and subject_id != f"urn:zll:learner:{learner_id}":
        raise _no("another-learner", "Der Nachweis wurde für eine andere Person ausgestellt.",
                  "The credential was issued to someone else.")  # fmt: skip


def _check_status(
    payload: Mapping[str, Any], keys: Mapping[str, OKPKey], lists: Mapping[str, str], now: datetime
) -> None:
    documents: dict[str, Mapping[str, Any]] = {}
    for entry in status_list.status_entries(payload):
        url = str(entry.get("statusListCredential", ""))
        if url in documents or url not in lists:
            continue
        signed = credentials.verify_jws(lists[url], keys)
        if signed is None:
            raise _no("status-list-forged",
                      "Die Statusliste ist nicht vom Aussteller signiert.",
                      f"The status list {url} is not signed by the issuer.")  # fmt: skip
        documents[url] = signed
    failure = status_list.check(payload, documents, now)
    if failure is not None:
        code, detail = failure
        words = {"revoked": "widerrufen", "suspended": "ausgesetzt"}.get(code)
        de = f"Vom Aussteller {words}." if words else f"Status nicht feststellbar: {detail}"
        raise _no(code, de, detail)


def _evidence(payload: Mapping[str, Any]) -> Evidence:
    subject = payload.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    alignment = achievement.get("alignment") or []
    skills = {a.get("targetUrl", "") for a in alignment} | set(subject.get("skills") or [])
    eqf = [a.get("targetCode") for a in alignment if a.get("targetFramework") == "EQF"]
    completed = _when(subject.get("activityEndDate") or payload.get("validFrom"))
    issuer_id, name = issuer_of(payload)
    return Evidence(
        credential_id=str(payload.get("id", "")),
        issuer_id=issuer_id,
        issuer_name=name,
        title=str(achievement.get("name") or payload.get("name") or "?"),
        skills=frozenset(s for s in skills if str(s).startswith(ESCO_SKILL)),
        eqf_level=int(eqf[0]) if eqf and str(eqf[0]).isdigit() else 0,
        workload_hours=float(subject.get("workloadHours") or 0),
        completed_on=completed.date() if completed else date.min,
    )
