"""Hostile prior-learning credentials: each bad one is refused with its exact reason.

A learner presents an Open Badges 3.0 credential issued elsewhere. A good one becomes
external evidence; every credential below is that good one broken in one way.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from joserfc.jwk import OKPKey

from services.enrolment import external
from tests.support.badges import KEY, KID, NOW, OTHER, REGION, SKILL, badge, lists, signed


def check(token: str, *, learner: str = "ada", served: dict[str, str] | None = None,
          keys: dict[str, OKPKey] | None = None) -> external.Evidence:  # fmt: skip
    return external.verify(
        token,
        learner_id=learner,
        issuer_keys={KID: KEY} if keys is None else keys,
        lists=lists() if served is None else served,
        now=NOW,
        region=REGION,
    )


def test_a_good_badge_becomes_external_evidence() -> None:
    evidence = check(signed(badge()))
    assert (evidence.issuer_name, evidence.title, evidence.eqf_level) == (
        "IHK Musterstadt", "Finanzbuchhaltung (IHK)", 4,
    )  # fmt: skip
    assert evidence.skills == {SKILL}
    assert evidence.workload_hours == 40


def forged() -> str:
    header, payload, signature = signed(badge()).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["workloadHours"] = 400
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


CASES: dict[str, tuple[Callable[[], Any], str, str]] = {
    # name: (what is presented, code, words in the English reason)
    "forged": (lambda: check(forged()), "forged", "signature does not match"),
    "expired": (
        lambda: check(signed(badge(validUntil=(NOW - timedelta(days=1)).isoformat()))),
        "expired", "Expired on 2027-02-28",
    ),
    "not yet valid": (
        lambda: check(signed(badge(validFrom=(NOW + timedelta(days=3)).isoformat()))),
        "not-yet-valid", "Not valid before 2027-03-04",
    ),
    "revoked": (
        lambda: check(signed(badge()), served=lists(revoked=(42,))), "revoked", "bit 42",
    ),
    "suspended": (
        lambda: check(signed(badge()), served=lists(suspended=(42,))), "suspended", "bit 42",
    ),
    "another learner's": (
        lambda: check(signed(badge(credentialSubject={**badge()["credentialSubject"],
                                                      "id": "urn:zll:learner:bea"}))),
        "another-learner", "issued to someone else",
    ),
    "signed with another key under the issuer's kid": (
        lambda: check(signed(badge(), key=OTHER)), "forged", "signature does not match",
    ),
    "a key the issuer never published": (
        lambda: check(signed(badge(), key=OTHER, kid="rogue")), "wrong-key", "no key 'rogue'",
    ),
    "an issuer whose keys cannot be resolved": (
        lambda: check(signed(badge()), keys={}), "unknown-issuer", "cannot be resolved",
    ),
    "an index the status list does not cover": (
        lambda: check(signed(badge()), served=lists(size=8)), "status-unknown",
        "outside the list",
    ),
    "a status list with a wrong signature": (
        lambda: check(signed(badge()), served=lists(key=OTHER)), "status-list-forged",
        "not signed by the issuer",
    ),
    "a stale (replayed) status list": (
        lambda: check(signed(badge()), served=lists(now=NOW - timedelta(days=3))),
        "status-unknown", "stale",
    ),
    "a status list that is not served": (
        lambda: check(signed(badge()), served={}), "status-unknown", "could not be fetched",
    ),
    "a look-alike of the region": (
        lambda: check(signed(badge(issuer={"id": "https://zll.example/regions/kasseI",
                                           "name": "Region KasseI"}))),
        "look-alike", "poses as the region",
    ),
    "the region's own certificate": (
        lambda: check(signed(badge(issuer={"id": REGION.id, "name": REGION.name}))),
        "own-credential", "/certificates/verify",
    ),
    "garbage": (lambda: check("not.a.jws"), "malformed", "readable"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_credential_is_refused_with_its_reason(name: str) -> None:
    present, code, words = CASES[name]
    with pytest.raises(external.Refused) as refused:
        present()
    assert refused.value.refusal.code == code
    assert words in refused.value.refusal.message_en
    assert refused.value.refusal.message_de
