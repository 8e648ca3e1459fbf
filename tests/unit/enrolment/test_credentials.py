"""Module certificates: the Open Badges shape, the signature, and why a check fails."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from joserfc.jwk import OKPKey

from services.enrolment import credentials
from services.enrolment.certificates import parse_key
from services.enrolment.config import EnrolmentConfig, check_for_environment

SKILL = "http://data.europa.eu/esco/skill/abc"
MODULES = [
    {"module_id": "m1", "title": "Tabellen", "workload_hours": 24, "eqf_level": 3,
     "skills": [SKILL], "certificate": "module-certificate"},
    {"module_id": "m2", "title": "Pivot", "workload_hours": 16.5, "eqf_level": 4,
     "skills": [SKILL, "http://data.europa.eu/esco/skill/def"], "certificate": "attendance"},
]  # fmt: skip
ISSUER = credentials.Issuer("https://zll.example/regions/kassel", "Region Kassel", "http://x")
KEY = OKPKey.generate_key("Ed25519")
KID = KEY.thumbprint()


def signed() -> tuple[dict[str, object], str]:
    at = datetime(2027, 6, 30, 12, tzinfo=UTC)
    passed = credentials.Passed("c-1", "ada", "vhs-x:excel", "Excel", "vhs-x", MODULES, at, at)
    credential = credentials.build_credential(passed, ISSUER)
    return credential, credentials.sign(credential, KEY, KID)


def test_the_credential_has_the_open_badges_shape_and_names_what_was_passed() -> None:
    credential, _ = signed()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": ISSUER.id, "type": ["Profile"], "name": "Region Kassel"}
    subject = credential["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["identifier"][0]["identityHash"] == "ada"
    assert [m["moduleId"] for m in subject["modules"]] == ["m1", "m2"]
    assert subject["workloadHours"] == 40.5
    assert subject["eqfLevel"] == 4
    assert subject["provider"] == "vhs-x"
    assert subject["skills"] == sorted({SKILL, "http://data.europa.eu/esco/skill/def"})
    assert subject["achievement"]["type"] == ["Achievement"]


def test_a_signed_credential_verifies_with_the_regions_public_key() -> None:
    credential, token = signed()
    public = OKPKey.import_key(credentials.public_jwk(KEY, KID))
    verdict = credentials.verify(token, {KID: public}, presented=credential)
    assert (verdict.valid, verdict.code) == (True, "valid")


def test_a_changed_payload_is_tampered() -> None:
    _, token = signed()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["workloadHours"] = 400
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    verdict = credentials.verify(f"{header}.{forged}.{signature}", {KID: KEY})
    assert (verdict.valid, verdict.code) == (False, "tampered")


def test_a_presented_credential_that_differs_from_the_signed_one_is_tampered() -> None:
    credential, token = signed()
    shown = json.loads(json.dumps(credential))
    shown["credentialSubject"]["eqfLevel"] = 8
    verdict = credentials.verify(token, {KID: KEY}, presented=shown)
    assert (verdict.valid, verdict.code) == (False, "tampered")


def test_a_credential_signed_by_another_key_is_unknown() -> None:
    credential, _ = signed()
    other = OKPKey.generate_key("Ed25519")
    token = credentials.sign(credential, other, other.thumbprint())
    assert credentials.verify(token, {KID: KEY}).code == "unknown-key"


def test_garbage_is_malformed() -> None:
    assert credentials.verify("not-a-jws", {KID: KEY}).code == "malformed"


def test_the_signing_key_is_read_from_jwk_or_pem_and_must_be_ed25519_private() -> None:
    assert parse_key(json.dumps(KEY.as_dict(private=True))).thumbprint() == KID
    assert parse_key(KEY.as_pem(private=True).decode()).thumbprint() == KID
    with pytest.raises(ValueError, match="private"):
        parse_key(json.dumps(KEY.as_dict(private=False)))


def test_production_refuses_to_start_without_a_signing_key() -> None:
    with pytest.raises(RuntimeError, match="ZLL_ENROLMENT_SIGNING_KEY"):
        check_for_environment("production", EnrolmentConfig(signing_key=None))
    check_for_environment("development", EnrolmentConfig(signing_key=None))
    check_for_environment("production", EnrolmentConfig(signing_key="{}"))
