"""Bearer JWTs: who is calling, in which role, and the dependencies that enforce it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from zll.platform.messages import MESSAGES
from zll.platform.problems import ProblemError
from zll.platform.settings import Settings

Role = Literal["learner", "counsellor", "provider", "employer", "operator"]
ROLES: tuple[str, ...] = get_args(Role)
_ALGORITHM = "HS256"
# Declares the bearer scheme in the OpenAPI document (which operations need a token, so they
# document 401 and 403); the header is still checked below, with our own problem documents.
_BEARER = HTTPBearer(auto_error=False, description="A JWT from `zll token` or the region's IdP.")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: `sub` is the learner, provider, employer or staff id the token was issued to."""

    sub: str
    role: Role


def mint_token(
    settings: Settings, *, role: Role, sub: str, ttl: timedelta = timedelta(hours=8)
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    now = datetime.now(UTC)
    claims = {
        "sub": sub,
        "role": role,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=_ALGORITHM)


# Tokens already verified, until they expire: a learner's portal sends the same token with
# every request, and checking its HMAC and claims again was ~8 % of the service's CPU per
# `POST /enrolments` in the rush. Keyed by the whole token and what it was checked against,
# so a changed secret, issuer or audience verifies afresh. Only `exp` can turn a valid token
# invalid later (`nbf`/`iat` only become more valid), and an entry ends with it.
_VERIFIED: dict[tuple[str, str, str, str], tuple[Principal, float]] = {}
VERIFIED_TOKENS_KEPT = 10_000


def verify_token(settings: Settings, token: str) -> Principal:
    """Check signature, expiry, issuer and audience; `alg` is pinned, never read from the token."""
    key = (settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience, token)
    known = _VERIFIED.get(key)
    if known is not None:
        if time.time() < known[1]:
            return known[0]
        del _VERIFIED[key]
    principal, expires = _verify(settings, token)
    if len(_VERIFIED) >= VERIFIED_TOKENS_KEPT:
        del _VERIFIED[next(iter(_VERIFIED))]  # the oldest entry
    _VERIFIED[key] = (principal, expires)
    return principal


def _verify(settings: Settings, token: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise ProblemError(
            401, MESSAGES("invalid-token"), MESSAGES("invalid-token.detail", reason=str(error))
        ) from error
    role = claims.get("role")
    if role not in ROLES:
        refusal = MESSAGES("invalid-token.role", role=role)
        raise ProblemError(401, MESSAGES("invalid-token"), refusal)
    return Principal(sub=str(claims["sub"]), role=role), float(claims["exp"])


async def current_principal(request: Request, _credentials: Bearer = None) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ProblemError(
            401, MESSAGES("authentication-required"), MESSAGES("authentication-required.detail")
        )
    settings: Settings = request.app.state.settings
    return verify_token(settings, token.strip())


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only the given roles."""

    async def dependency(request: Request, _credentials: Bearer = None) -> Principal:
        principal = await current_principal(request)
        if principal.role not in roles:
            raise ProblemError(
                403, MESSAGES("forbidden"), MESSAGES("forbidden.roles", roles=", ".join(roles))
            )
        return principal

    return dependency
