"""Certificates over HTTP: public and verifiable, the region's keys, a learner's record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from services.enrolment import (
    certificate_status,
    certificates,
    credentials,
    domain,
    status_list,
    store,
)
from services.enrolment.messages import MESSAGES
from zll.platform.auth import Principal, current_principal, require_role
from zll.platform.database import Db
from zll.platform.problems import ProblemError

router = APIRouter(tags=["certificates"])
CertificateIdPath = Annotated[str, Path(max_length=128)]
_SKILL = "http://data.europa.eu/esco/skill/60ff3eac-7d4d-4e51-87b8-74c3b5d62498"
_JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6InJlZ2lvbi0xIiwidHlwIjoidmMrand0In0.eyJ…In0.c2lnbmF0dXJl"
CERTIFICATE_EXAMPLE: dict[str, Any] = {
    "certificate_id": "5b0e7c1a-2f4d-4e8a-9c3b-7d1e6f2a9b40",
    "enrolment_id": "3f1c2b9e-8a4d-4c1e-9f5a-2d7b6e0c1a42",
    "learner_id": "lena",
    "course_id": "oskar-von-miller-schule:SCHW-MAG-WIG-27",
    "provider_id": "oskar-von-miller-schule",
    "issued_at": "2027-04-28T16:00:00Z",
    "revoked": False,
    "credential": {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": "urn:uuid:5b0e7c1a-2f4d-4e8a-9c3b-7d1e6f2a9b40",
        "credentialSubject": {
            "modules": [{"module_id": "MAG", "workloadHours": 60, "skills": [_SKILL]}]
        },
    },
    "jwt": _JWT,
}


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class CertificateView(BaseModel):
    model_config = _example(CERTIFICATE_EXAMPLE)

    certificate_id: str
    enrolment_id: str
    learner_id: str
    course_id: str
    provider_id: str
    issued_at: datetime
    revoked: bool
    revocation_reason: str | None = None
    suspended: bool = False
    suspension_reason: str | None = None
    credential: dict[str, Any] = Field(description="The OpenBadgeCredential (W3C VC 2.0).")
    jwt: str = Field(description="The credential signed by the region: compact JWS, vc+jwt.")

    @classmethod
    def of(cls, row: store.CertificateRow) -> CertificateView:
        return cls(
            certificate_id=row.certificate_id,
            enrolment_id=str(row.enrolment_id),
            learner_id=row.learner_id,
            course_id=row.course_id,
            provider_id=row.provider_id,
            issued_at=row.issued_at,
            revoked=row.revoked_at is not None,
            revocation_reason=row.revocation_reason,
            suspended=row.suspended_at is not None,
            suspension_reason=row.suspension_reason,
            credential=row.credential,
            jwt=row.jwt,
        )


class Presented(BaseModel):
    model_config = _example({"jwt": _JWT})

    jwt: str = Field(max_length=200_000, description="The signed credential (compact JWS).")
    credential: dict[str, Any] | None = Field(
        default=None, description="The credential JSON as shown, checked against the signed one."
    )


class VerifyAnswer(BaseModel):
    model_config = _example(
        {
            "valid": True,
            "code": "valid",
            "detail": "signed by the region's key region-1; not revoked",
            "certificate_id": "5b0e7c1a-2f4d-4e8a-9c3b-7d1e6f2a9b40",
            "learner_id": "sha256$1f0c…",
        }
    )

    valid: bool
    code: str = Field(
        description="valid | malformed | unknown-key | tampered | revoked | suspended"
    )
    detail: str
    certificate_id: str | None = None
    learner_id: str | None = None


class Revocation(BaseModel):
    model_config = _example({"reason": "Ausgestellt für das falsche Modul."})

    reason: str = Field(min_length=1, max_length=2_000)


class LearningRecord(BaseModel):
    model_config = _example(
        {
            "learner_id": "lena",
            "total_workload_hours": 60.0,
            "skills": [_SKILL],
            "providers": ["oskar-von-miller-schule"],
            "certificates": [CERTIFICATE_EXAMPLE],
        }
    )

    learner_id: str
    total_workload_hours: float
    skills: list[str]
    providers: list[str]
    certificates: list[CertificateView]


@router.get("/certificates/{certificate_id}", response_model=CertificateView)
async def get_certificate(
    db: Db,
    certificate_id: CertificateIdPath,
) -> CertificateView:
    """Public: anyone holding the id may fetch and verify the certificate."""
    async with db.connection() as conn:
        row = await store.get_certificate(conn, certificate_id)
    if row is None:
        raise _not_found(certificate_id)
    if not row.jwt:  # see services/enrolment/erasure.py
        raise ProblemError(
            410, MESSAGES("certificate-erased"), MESSAGES("certificate-erased.detail")
        )
    return CertificateView.of(row)


@router.post("/certificates/verify", response_model=VerifyAnswer)
async def verify(
    db: Db,
    presented: Presented,
) -> VerifyAnswer:
    """Checks any presented credential and says why one fails; public."""
    async with db.connection() as conn:
        verdict = await certificates.check(conn, presented.jwt, presented.credential)
    subject = (verdict.credential or {}).get("credentialSubject", {})
    identifiers = subject.get("identifier") or [{}]
    credential_id = str((verdict.credential or {}).get("id", "")) or None
    return VerifyAnswer(
        valid=verdict.valid,
        code=verdict.code,
        detail=verdict.detail,
        certificate_id=credential_id.removeprefix("urn:uuid:") if credential_id else None,
        learner_id=identifiers[0].get("identityHash"),
    )


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificateView)
async def revoke(
    db: Db,
    certificate_id: CertificateIdPath,
    body: Revocation,
    principal: Annotated[Principal, Depends(require_role("operator"))],
) -> CertificateView:
    """Operators revoke a certificate issued in error; verification then answers `revoked`,
    and `zll.enrolment.certificate-revoked.v1` tells the region (once)."""
    async with db.unit_of_work() as uow:
        row = await certificate_status.revoke(uow, certificate_id, body.reason)
    if row is None:
        raise _not_found(certificate_id)
    return CertificateView.of(row)


@router.post("/certificates/{certificate_id}/suspend", response_model=CertificateView)
async def suspend(
    db: Db,
    certificate_id: CertificateIdPath,
    body: Revocation,
    principal: Annotated[Principal, Depends(require_role("operator"))],
) -> CertificateView:
    """Operators suspend a certificate while a doubt is cleared; its suspension bit is set."""
    return await _set_suspension(db, certificate_id, body.reason)


@router.post("/certificates/{certificate_id}/reinstate", response_model=CertificateView)
async def reinstate(
    db: Db,
    certificate_id: CertificateIdPath,
    principal: Annotated[Principal, Depends(require_role("operator"))],
) -> CertificateView:
    """Operators lift a suspension; a revocation is final and stays."""
    return await _set_suspension(db, certificate_id, None)


async def _set_suspension(db: Db, certificate_id: str, reason: str | None) -> CertificateView:
    async with db.unit_of_work() as uow:
        row = await certificate_status.set_suspension(uow, certificate_id, reason)
    if row is None:
        raise _not_found(certificate_id)
    return CertificateView.of(row)


@router.get(
    "/status-lists/{purpose}/{list_number}",
    response_class=Response,
    responses={200: {"content": {"application/vc+jwt": {}}}},
)
async def status_list_credential(
    db: Db,
    purpose: status_list.Purpose,
    list_number: Annotated[int, Path(ge=0, le=1_000_000)],
) -> Response:
    """Public: the signed BitstringStatusListCredential (W3C) for revocation or suspension."""
    async with db.connection() as conn:
        token = await certificates.published_list(conn, purpose, list_number)
    if token is None:
        raise ProblemError(
            404,
            MESSAGES("status-list-not-found"),
            MESSAGES("status-list-not-found.detail", purpose=purpose, number=list_number),
        )
    return Response(
        token, media_type="application/vc+jwt", headers={"Cache-Control": "max-age=300"}
    )


def _not_found(certificate_id: str) -> ProblemError:
    return ProblemError(
        404,
        MESSAGES("certificate-not-found"),
        MESSAGES("certificate-not-found.detail", certificate_id=certificate_id),
    )


_JWKS_EXAMPLE = {
    "keys": [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "kid": "region-1",
            "alg": "EdDSA",
            "use": "sig",
        }
    ]
}


@router.get(
    "/.well-known/jwks.json",
    responses={200: {"content": {"application/json": {"example": _JWKS_EXAMPLE}}}},
)
async def jwks(db: Db) -> dict[str, list[dict[str, Any]]]:
    """The region's public signing keys (JWK Set), to verify credentials offline."""
    async with db.connection() as conn:
        keys = await certificates.region_keys(conn)
    return {"keys": [credentials.public_jwk(key, kid) for kid, key in keys.known.items()]}


@router.get("/learners/{learner_id}/certificates", response_model=LearningRecord)
async def learning_record(
    db: Db,
    learner_id: Annotated[str, Path(max_length=128)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> LearningRecord:
    """A learner's record of learning across providers (the learner, counsellors, operators)."""
    if not domain.may_see(principal.role, principal.sub, learner_id=learner_id, provider_id=None):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-certificates-only"))
    async with db.connection() as conn:
        rows = await store.certificates_of_learner(conn, learner_id)
    live = [r for r in rows if r.revoked_at is None]
    modules = [m for r in live for m in r.credential["credentialSubject"]["modules"]]
    return LearningRecord(
        learner_id=learner_id,
        total_workload_hours=sum(float(m["workloadHours"]) for m in modules),
        skills=sorted({s for m in modules for s in m["skills"]}),
        providers=sorted({r.provider_id for r in live}),
        certificates=[CertificateView.of(r) for r in rows],
    )
