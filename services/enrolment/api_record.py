"""A learner's record to take along: Europass (ELM v3) and one verifiable presentation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from services.enrolment import (
    certificates,
    domain,
    europass,
    evidence,
    external,
    presentations,
    status_list,
    store,
)
from services.enrolment.messages import MESSAGES
from zll.platform.auth import Principal, current_principal
from zll.platform.database import Db
from zll.platform.pagination import Page, PageRequest, pages
from zll.platform.problems import ProblemError

router = APIRouter(tags=["certificates"])
LearnerIdPath = Annotated[str, Path(max_length=128)]
Caller = Annotated[Principal, Depends(current_principal)]
Pages = Annotated[PageRequest, Depends(pages(default=100, maximum=500))]
_JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6InJlZ2lvbi0xIiwidHlwIjoidnArand0In0.eyJ…In0.c2lnbmF0dXJl"
_EDC = {
    "@context": europass.CONTEXT,
    "id": "urn:zll:edc:5b0e7c1a-2f4d-4e8a-9c3b-7d1e6f2a9b40",
    "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
    "credentialSubject": {"id": "urn:zll:learner:ada", "type": "Person", "hasClaim": []},
}
_EVIDENCE = {
    "credential_id": "urn:uuid:7e1d0c3a-0000-4000-8000-000000000042",
    "issuer_id": "https://badges.example.org/issuers/ihk", "issuer_name": "IHK Musterstadt",
    "title": "Finanzbuchhaltung (IHK)", "skills": ["http://data.europa.eu/esco/skill/fibu"],
    "eqf_level": 4, "workload_hours": 40.0, "completed_on": "2025-11-20", "external": True,
}  # fmt: skip


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class EuropassExport(BaseModel):
    model_config = _example({"learner_id": "ada", "credentials": [_EDC]})

    learner_id: str
    credentials: list[dict[str, Any]] = Field(
        description="One European Digital Credential (ELM v3 JSON-LD, EDC profile) per "
        "live certificate; unsealed (see evidence for the signed original)."
    )


class Presentation(BaseModel):
    model_config = _example({"learner_id": "ada", "jwt": _JWT, "presentation": {
        "@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
        "holder": "urn:zll:learner:ada", "verifiableCredential": []}})  # fmt: skip

    learner_id: str
    jwt: str = Field(description="The presentation signed by the region (compact JWS, vp+jwt).")
    presentation: dict[str, Any]


def _own(principal: Principal, learner_id: str) -> None:
    if not domain.may_see(principal.role, principal.sub, learner_id=learner_id, provider_id=None):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-certificates-only"))


def _live(rows: list[store.CertificateRow]) -> list[store.CertificateRow]:
    return [r for r in rows if r.revoked_at is None and r.suspended_at is None and r.jwt]


@router.get("/learners/{learner_id}/europass", response_model=EuropassExport)
async def europass_export(db: Db, learner_id: LearnerIdPath, principal: Caller) -> EuropassExport:
    """The learner's certificates as European Digital Credentials, for a Europass wallet."""
    _own(principal, learner_id)
    async with db.connection() as conn:
        rows = _live(await store.certificates_of_learner(conn, learner_id))
    base = certificates.issuer().public_url
    return EuropassExport(
        learner_id=learner_id,
        credentials=[
            europass.european_digital_credential(
                r.credential, certificate_url=f"{base}/certificates/{r.certificate_id}"
            )
            for r in rows
        ],
    )


@router.get("/learners/{learner_id}/presentation", response_model=Presentation)
async def presentation(db: Db, learner_id: LearnerIdPath, principal: Caller) -> Presentation:
    """Everything the learner earned in the region, as one presentation that verifies
    offline with the JWKS (status lists included, valid 24 h)."""
    _own(principal, learner_id)
    async with db.connection() as conn:
        rows = _live(await store.certificates_of_learner(conn, learner_id))
        numbers = {
            status_list.Position.of(r.status_serial).list_number
            for r in rows
            if r.status_serial is not None
        }
        lists = [
            token
            for number in sorted(numbers)
            for purpose in status_list.PURPOSES
            if (token := await certificates.published_list(conn, purpose, number)) is not None
        ]
        keys = await certificates.region_keys(conn)
    document = presentations.presentation(
        learner_id, [r.jwt for r in rows], lists, datetime.now(UTC)
    )
    token = presentations.sign(document, keys.signing, keys.kid)
    return Presentation(learner_id=learner_id, jwt=token, presentation=document)


class Presented(BaseModel):
    model_config = _example({"jwt": _JWT})

    jwt: str = Field(max_length=200_000, description="An Open Badges 3.0 / W3C VC as VC-JWT.")


class EvidenceView(BaseModel):
    model_config = _example(_EVIDENCE)

    credential_id: str
    issuer_id: str
    issuer_name: str
    title: str
    skills: list[str]
    eqf_level: int
    workload_hours: float
    completed_on: date
    external: bool = True

    @classmethod
    def of(cls, e: evidence.Evidence) -> EvidenceView:
        return cls(
            credential_id=e.credential_id,
            issuer_id=e.issuer_id,
            issuer_name=e.issuer_name,
            title=e.title,
            skills=sorted(e.skills),
            eqf_level=e.eqf_level,
            workload_hours=e.workload_hours,
            completed_on=e.completed_on,
        )


async def fetcher(request: Request) -> evidence.Fetch:
    """How issuers' keys and status lists are fetched (tests put their own in app.state)."""
    found: evidence.Fetch = getattr(request.app.state, "evidence_fetch", evidence.fetch_https)
    return found


@router.post("/learners/{learner_id}/evidence", response_model=EvidenceView, status_code=201)
async def present_evidence(
    db: Db,
    learner_id: LearnerIdPath,
    body: Presented,
    principal: Caller,
    fetch: Annotated[evidence.Fetch, Depends(fetcher)],
) -> EvidenceView:
    """A learner (or a counsellor) presents a credential issued outside the region; once
    verified it counts as external evidence (recognition rules may accept it)."""
    if not domain.may_enrol(principal.role, principal.sub, learner_id):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-certificates-only"))
    try:
        async with db.unit_of_work() as uow:
            found = await evidence.present(uow.conn, learner_id, body.jwt, fetch)
    except external.Refused as refused:
        r = refused.refusal
        raise ProblemError(
            422,
            MESSAGES("evidence-refused"),
            MESSAGES("said", de=r.message_de, en=r.message_en),
            errors=[{"field": "jwt", "message": r.code}],
            type_=f"urn:zll:evidence:{r.code}",
        ) from refused
    return EvidenceView.of(found)


class EvidencePage(Page[EvidenceView]):
    """The learner's external evidence, one page."""


@router.get("/learners/{learner_id}/evidence", response_model=EvidencePage)
async def evidence_list(
    db: Db, learner_id: LearnerIdPath, principal: Caller, page: Pages
) -> EvidencePage:
    """The learner's recorded external evidence, in the order it was presented."""
    _own(principal, learner_id)
    async with db.connection() as conn:
        found = await evidence.evidence_of(conn, learner_id)
    numbered = list(enumerate(EvidenceView.of(e) for e in found))
    items, next_cursor = page.window(numbered, lambda pair: (pair[0],), int)
    return EvidencePage(items=[view for _, view in items], next_cursor=next_cursor)
