"""Revocation and suspension as a W3C Bitstring Status List: what the bits say, and who agrees.

A third party checks our credentials with an off-the-shelf Open Badges 3.0 verifier
(openbadgeslib, from PyPI) given nothing but the region's public key and the published lists.
"""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc.jwk import OKPKey
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from services.enrolment import credentials, status_list
from services.enrolment.status_list import LIST_BITS, Position

URL = "https://zll.example"
ISSUER = credentials.Issuer("https://zll.example/regions/kassel", "Region Kassel", URL)
KEY = OKPKey.generate_key("Ed25519")
KID = KEY.thumbprint()
NOW = datetime.now(UTC)
MODULES = [
    {"module_id": "m1", "title": "Finanzbuchhaltung I", "workload_hours": 40, "eqf_level": 4,
     "skills": [], "certificate": "module-certificate"},
]  # fmt: skip


def certificate(serial: int = 7) -> tuple[dict[str, Any], str]:
    entries = status_list.entries(URL, Position.of(serial))
    passed = credentials.Passed(
        "c-1", "ada", "vhs:fibu", "Finanzbuchhaltung", "vhs", MODULES, NOW, NOW, entries
    )
    credential = credentials.build_credential(passed, ISSUER)
    return credential, credentials.sign(credential, KEY, KID)


def published(
    *, revoked: list[int] = (), suspended: list[int] = (), now: datetime = NOW, key: Any = KEY
) -> dict[str, dict[str, Any]]:
    """The two list credentials of list 0 as the region serves them (JSON, and signed)."""
    lists = {}
    for purpose, serials in (("revocation", revoked), ("suspension", suspended)):
        url = status_list.list_url(URL, purpose, 0)
        issuer = {"id": ISSUER.id, "type": ["Profile"], "name": ISSUER.name}
        bits = [Position.of(s).index for s in serials]
        document = status_list.list_credential(
            url=url, purpose=purpose, issuer=issuer, set_bits=bits, now=now
        )
        lists[url] = {"json": document, "jwt": credentials.sign(document, key, KID)}
    return lists


def third_party(token: str, lists: dict[str, dict[str, Any]]) -> None:
    """An employer's check: the off-the-shelf verifier, our public key, the served lists."""
    verifier = OB3Verifier(KEY.as_pem(private=False))
    verifier.verify(
        token,
        check_status=True,
        verify_status_list=True,
        download=lambda url: lists[url]["jwt"].encode(),
    )


@given(st.sets(st.integers(0, LIST_BITS - 1), max_size=40), st.integers(0, LIST_BITS - 1))
def test_exactly_the_set_bits_read_as_set(set_bits: set[int], probe: int) -> None:
    bits = status_list.decode(status_list.encode(set_bits))
    assert len(bits) * 8 == LIST_BITS
    assert status_list.is_set(bits, probe) == (probe in set_bits)


@given(st.integers(0, 10 * LIST_BITS), st.integers(0, 10 * LIST_BITS))
def test_two_certificates_never_share_a_bit(a: int, b: int) -> None:
    assert (Position.of(a) == Position.of(b)) == (a == b)


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    encoded = status_list.encode({0})
    packed = base64.urlsafe_b64decode(encoded[1:] + "==")
    assert encoded.startswith("u")
    assert gzip.decompress(packed)[0] == 0x80


def test_neighbouring_certificates_do_not_sit_on_neighbouring_bits() -> None:
    assert abs(Position.of(1).index - Position.of(2).index) > 1_000


def test_each_credential_carries_one_entry_per_purpose() -> None:
    credential, _ = certificate(serial=LIST_BITS + 3)
    entries = credential["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert {e["type"] for e in entries} == {"BitstringStatusListEntry"}
    assert entries[0]["statusListCredential"] == f"{URL}/status-lists/revocation/1"
    assert entries[0]["statusListIndex"] == str(Position.of(3).index)


def test_a_third_party_library_accepts_a_live_credential() -> None:
    _, token = certificate()
    third_party(token, published())


def test_a_third_party_library_sees_a_revocation() -> None:
    _, token = certificate(serial=7)
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        third_party(token, published(revoked=[7]))
    third_party(token, published(revoked=[8]))  # another certificate's bit


def test_a_third_party_library_sees_a_suspension() -> None:
    _, token = certificate(serial=7)
    with pytest.raises(OB3VerificationError, match="'suspension' is set"):
        third_party(token, published(suspended=[7]))


def test_a_third_party_library_refuses_a_list_signed_with_another_key() -> None:
    _, token = certificate()
    with pytest.raises(OB3VerificationError, match="proof is invalid"):
        third_party(token, published(key=OKPKey.generate_key("Ed25519")))


def test_a_third_party_library_refuses_a_stale_list() -> None:
    _, token = certificate()
    with pytest.raises(OB3VerificationError, match="expired"):
        third_party(token, published(now=NOW - timedelta(days=2)))


def jsons(lists: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {url: found["json"] for url, found in lists.items()}


def test_our_own_reading_says_which_bit_and_why() -> None:
    credential, _ = certificate(serial=7)
    assert status_list.check(credential, jsons(published()), NOW) is None
    revoked = status_list.check(credential, jsons(published(revoked=[7])), NOW)
    assert revoked is not None
    assert revoked[0] == "revoked"
    assert str(Position.of(7).index) in revoked[1]
    suspended = status_list.check(credential, jsons(published(suspended=[7])), NOW)
    assert suspended is not None
    assert suspended[0] == "suspended"


def test_a_missing_stale_foreign_or_short_list_is_status_unknown() -> None:
    credential, _ = certificate()
    lists = jsons(published())
    url = status_list.list_url(URL, "revocation", 0)
    missing = {k: v for k, v in lists.items() if k != url}
    foreign = {**lists, url: {**lists[url], "issuer": {"id": "https://evil.example"}}}
    swapped = {**lists, url: lists[status_list.list_url(URL, "suspension", 0)]}
    subject = {**lists[url]["credentialSubject"], "encodedList": status_list.encode([], 64)}
    short = {**lists, url: {**lists[url], "credentialSubject": subject}}
    cases = {
        "could not be fetched": missing,
        "stale": lists,
        "evil.example": foreign,
        "declares 'suspension'": swapped,
        "outside the list": short,
    }
    for reason, served in cases.items():
        later = NOW + timedelta(days=2) if reason == "stale" else NOW
        verdict = status_list.check(credential, served, later)
        assert verdict is not None, reason
        assert verdict[0] == "status-unknown", reason
        assert reason in verdict[1]


def test_a_gzip_bomb_or_garbage_is_refused() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(17 * 1024 * 1024))).decode()
    with pytest.raises(status_list.StatusListError, match="16 MiB"):
        status_list.decode(bomb)
    with pytest.raises(status_list.StatusListError, match="multibase"):
        status_list.decode("H4sI")
    with pytest.raises(status_list.StatusListError, match="GZIP"):
        status_list.decode("uAAAA")


def test_a_credential_issued_before_status_lists_still_verifies() -> None:
    """Credentials of old carry `ZllCertificateStatus`, EdDSA-less headers and no JWT claims."""
    credential, _ = certificate()
    old = {k: v for k, v in credential.items() if k != "credentialStatus"}
    old["credentialStatus"] = {"id": f"{URL}/certificates/c-1", "type": "ZllCertificateStatus"}
    from joserfc import jws

    token = jws.serialize_compact(
        {"alg": "Ed25519", "kid": KID, "typ": "vc+jwt"},
        credentials._canonical(old).encode(),
        KEY,
        algorithms=["Ed25519"],
    )
    verdict = credentials.verify(token, {KID: KEY}, presented=old)
    assert (verdict.valid, verdict.code) == (True, "valid")
    assert status_list.check(old, {}, NOW) is None  # nothing on a list: our API answers
