"""Bearer JWTs: who is calling, in which role, and the dependencies that enforce it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import jwt
from fastapi import Request

from zll.platform.problems import ProblemError
from zll.platform.settings import Settings

Role = Literal["learner", "counsellor", "provider", "employer", "operator"]
ROLES: tuple[str, ...] = get_args(Role)
_ALGORITHM = "HS256"


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
        raise ProblemError(401, "Invalid token", str(error)) from error
    role = claims.get("role")
    if role not in ROLES:
        raise ProblemError(401, "Invalid token", f"unknown role {role!r}")
    return Principal(sub=str(claims["sub"]), role=role)


async def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ProblemError(401, "Authentication required", "Send Authorization: Bearer <token>.")
    settings: Settings = request.app.state.settings
    return verify_token(settings, token.strip())


def require_role(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits only the given roles."""

    async def dependency(request: Request) -> Principal:
        principal = await current_principal(request)
        if principal.role not in roles:
            raise ProblemError(
                403, "Forbidden", f"This needs one of the roles: {', '.join(roles)}."
            )
        return principal

    return dependency
