"""Tokens: services accept what `zll token` mints, and nothing forged, expired or misaddressed."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta, tzinfo

import jwt
import jwt.api_jwt
import pytest

from zll.platform.auth import mint_token, verify_token
from zll.platform.i18n import say
from zll.platform.problems import ProblemError
from zll.platform.settings import Settings

SETTINGS = Settings()


def test_a_minted_token_names_its_subject_and_role() -> None:
    principal = verify_token(SETTINGS, mint_token(SETTINGS, role="learner", sub="lena"))
    assert (principal.sub, principal.role) == ("lena", "learner")


def test_an_unknown_role_is_not_minted() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        mint_token(SETTINGS, role="admin", sub="x")  # type: ignore[arg-type]


def _refused(token: str) -> str:
    with pytest.raises(ProblemError) as refusal:
        verify_token(SETTINGS, token)
    assert refusal.value.status == 401
    return say(refusal.value.detail, "en") or ""


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = mint_token(Settings(jwt_secret="x" * 40), role="operator", sub="mallory")
    assert "Signature" in _refused(forged)


def test_an_expired_token_is_refused() -> None:
    expired = mint_token(SETTINGS, role="learner", sub="lena", ttl=timedelta(seconds=-1))
    assert "expired" in _refused(expired)


def test_a_token_for_another_audience_or_issuer_is_refused() -> None:
    _refused(mint_token(Settings(jwt_audience="elsewhere"), role="learner", sub="lena"))
    _refused(mint_token(Settings(jwt_issuer="elsewhere"), role="learner", sub="lena"))


def test_alg_none_is_refused() -> None:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    claims = jwt.decode(
        mint_token(SETTINGS, role="operator", sub="x"), options={"verify_signature": False}
    )
    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    _refused(unsigned)


def test_a_token_with_an_unknown_role_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "role": "root", "iss": "zll", "aud": "zll", "exp": 9_999_999_999},
        SETTINGS.jwt_secret,
        algorithm="HS256",
    )
    assert "role" in _refused(token)


def test_a_token_verified_before_is_refused_once_it_has_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Verified tokens are remembered (the rush sends one token many times), never past `exp`."""
    token = mint_token(SETTINGS, role="learner", sub="lena", ttl=timedelta(minutes=5))
    assert verify_token(SETTINGS, token).sub == "lena"
    assert verify_token(SETTINGS, token).sub == "lena"  # the remembered answer
    later = datetime.now(UTC) + timedelta(minutes=6)

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Later:
            return cls.fromtimestamp(later.timestamp(), tz)

    monkeypatch.setattr(time, "time", later.timestamp)
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)  # PyJWT's clock, six minutes on
    assert "expired" in _refused(token)


def test_a_remembered_token_is_checked_again_against_another_secret() -> None:
    token = mint_token(SETTINGS, role="operator", sub="ops")
    assert verify_token(SETTINGS, token).role == "operator"
    with pytest.raises(ProblemError):
        verify_token(Settings(jwt_secret="y" * 40), token)
