"""Bearer JWTs: who is calling, in which role, and the dependencies that enforce it."""

from __future__ import annotations

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


def verify_token(settings: Settings, token: str) -> Principal:
    """Check signature, expiry, issuer and audience; `alg` is pinned, never read from the token."""
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
    return Principal(sub=str(claims["sub"]), role=role)


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
