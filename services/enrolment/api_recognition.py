"""Recognition over HTTP ("Anrechnung"): for providers without Kafka, learners, counsellors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from zll_contracts.payloads import NamedModule, RecognitionDeclared, RecognitionOutcome
from zll_contracts.payloads.common import CourseId, ModuleId, OpaqueId
from zll_contracts.payloads.recognition import DecisionReason

from services.enrolment import domain, recognition_store, recognitions
from services.enrolment.messages import MESSAGES
from services.enrolment.recognition import Coverage, Decision, RecognitionError
from services.enrolment.recognition_handlers import declaration_of
from services.enrolment.recognition_store import RequestRow
from zll.platform.auth import Principal, current_principal, require_role
from zll.platform.database import Db
from zll.platform.pagination import Page, PageRequest, pages
from zll.platform.plain_text import text_problems
from zll.platform.problems import ProblemError

router = APIRouter(tags=["recognition"])
Caller = Annotated[Principal, Depends(current_principal)]
CourseIdPath = Annotated[str, Path(max_length=110)]
Pages = Annotated[PageRequest, Depends(pages(default=100, maximum=500))]
COURSE = "bz-nord:kfm"
NAMED = {"provider_id": "vhs-kassel", "course_id": "vhs-kassel:fibu", "module_id": "fibu-1"}
REASON_DE = "Modul 2 wird angerechnet: Finanzbuchhaltung I, vhs-kassel, 2026, EQF 4, 40 h"
REASON_EN = "Module 2 is recognised: Finanzbuchhaltung I, vhs-kassel, 2026, EQF 4, 40 h"
REQUEST_ID = "0b4e6f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b"


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Declare(BaseModel):
    """The body of a declaration; course and id come from the path."""

    model_config = _example({"module_id": "m2", "named": NAMED},
                            {"module_id": "m3", "skills": ["http://data.europa.eu/esco/skill/fibu"],
                             "min_eqf_level": 4, "max_age_years": 5})  # fmt: skip

    module_id: ModuleId
    named: NamedModule | None = None
    skills: list[str] = Field(default_factory=list, max_length=200)
    min_eqf_level: int | None = Field(default=None, ge=1, le=8)
    min_workload_hours: float | None = Field(default=None, gt=0, le=10_000)
    max_age_years: int | None = Field(default=None, ge=1, le=60)
    accepts_external: bool = False


class DeclarationView(Declare):
    model_config = _example({"declaration_id": "fibu", "course_id": COURSE, "module_id": "m2",
                             "named": NAMED})  # fmt: skip

    declaration_id: str
    course_id: str


class DeclarationPage(Page[DeclarationView]):
    """What the course's provider recognises, one page."""


class CoveredView(BaseModel):
    module_id: str
    title: str
    reason_de: str = Field(examples=["Modul 2 wird angerechnet: Finanzbuchhaltung I, …"])
    reason_en: str
    source_id: str = Field(description="The certificate (or external evidence) that covers it.")
    declaration_id: str


class CoverageView(BaseModel):
    model_config = _example({
        "learner_id": "ada", "course_id": COURSE,
        "covered": [{"module_id": "m2", "title": "Buchführung", "reason_de": REASON_DE,
                     "reason_en": REASON_EN, "source_id": "5b0e7c1a", "declaration_id": "fibu"}],
        "remaining": ["m1", "m3"], "remaining_workload_hours": 50.0,
        "course_workload_hours": 90.0,
    })  # fmt: skip

    learner_id: str
    course_id: str
    covered: list[CoveredView]
    remaining: list[str] = Field(description="module_ids still to take")
    remaining_workload_hours: float
    course_workload_hours: float

    @classmethod
    def of(cls, learner_id: str, course_id: str, modules: Any, found: Coverage) -> CoverageView:
        return cls(
            learner_id=learner_id,
            course_id=course_id,
            covered=[
                CoveredView(
                    module_id=c.module_id,
                    title=c.title,
                    reason_de=c.reason_de,
                    reason_en=c.reason_en,
                    source_id=c.achievement.source_id,
                    declaration_id=c.declaration_id,
                )
                for c in found.covered
            ],
            remaining=[m["module_id"] for m in found.remaining],
            remaining_workload_hours=found.remaining_workload_hours,
            course_workload_hours=float(sum(m["workload_hours"] for m in modules)),
        )


class Ask(BaseModel):
    model_config = _example({"learner_id": "ada", "course_id": COURSE})

    learner_id: OpaqueId
    course_id: CourseId
    request_id: uuid.UUID | None = Field(default=None, description="Idempotency: yours to pick.")


class Decide(BaseModel):
    model_config = _example(
        {"decision_id": "d1", "outcome": "accepted", "modules": ["m2"]},
        {"decision_id": "d2", "outcome": "refused", "reason": "Nachweis unleserlich",
         "supersedes": "d1"},
    )  # fmt: skip

    decision_id: OpaqueId
    outcome: RecognitionOutcome
    modules: list[ModuleId] = Field(default_factory=list, max_length=200)
    reason: DecisionReason = ""
    supersedes: OpaqueId | None = None


class DecisionView(BaseModel):
    decision_id: str
    outcome: str
    modules: list[str]
    reason: str
    decided_by: str
    supersedes: str | None = None


class RequestView(BaseModel):
    model_config = _example({
        "request_id": REQUEST_ID, "learner_id": "ada", "provider_id": "bz-nord",
        "course_id": COURSE, "requested": ["m2"], "reasons": [REASON_DE],
        "requested_at": "2026-12-04T10:00:00Z", "recognised": ["m2"],
        "decisions": [{"decision_id": "d1", "outcome": "accepted", "modules": ["m2"],
                       "reason": "", "decided_by": "bz-nord", "supersedes": None}],
    })  # fmt: skip

    request_id: str
    learner_id: str
    provider_id: str
    course_id: str
    requested: list[str]
    reasons: list[str]
    requested_at: datetime
    recognised: list[str] = Field(description="As the latest decision says; empty before one.")
    decisions: list[DecisionView] = Field(description="Every decision, oldest first.")

    @classmethod
    def of(cls, row: RequestRow) -> RequestView:
        case = row.case
        return cls(
            request_id=case.request_id,
            learner_id=case.learner_id,
            provider_id=case.provider_id,
            course_id=case.course_id,
            requested=list(case.requested),
            reasons=row.reasons,
            requested_at=row.requested_at,
            recognised=list(case.recognised),
            decisions=[DecisionView(**_fields(d)) for d in case.decisions],
        )


def _fields(d: Decision) -> dict[str, Any]:
    return {f: getattr(d, f) for f in DecisionView.model_fields} | {"modules": list(d.modules)}


def _refused(error: RecognitionError, status: int = 422) -> ProblemError:
    return ProblemError(
        status,
        MESSAGES("recognition-refused"),
        MESSAGES("said", de=error.message_de, en=error.message_en),
        errors=[{"field": error.field, "message": error.message_en}],
    )


@router.put("/courses/{course_id}/recognitions/{declaration_id}", response_model=DeclarationView)
async def declare(
    db: Db,
    course_id: CourseIdPath,
    declaration_id: Annotated[str, Path(max_length=128, pattern=r"^[^\s\x00-\x1f\x7f]+$")],
    body: Declare,
    principal: Annotated[Principal, Depends(require_role("provider"))],
) -> DeclarationView:
    """The course's provider declares what it recognises for one of its modules."""
    now = datetime.now(UTC)
    try:
        payload = RecognitionDeclared(
            declaration_id=declaration_id, course_id=course_id, declared_at=now,
            **body.model_dump(),
        )  # fmt: skip
    except ValueError as error:
        raise ProblemError(422, MESSAGES("recognition-refused"), str(error)) from error
    try:
        async with db.unit_of_work() as uow:
            await recognitions.declare(uow, declaration_of(payload), principal.sub, now)
    except RecognitionError as error:
        raise _refused(error, 403 if error.field == "provider_id" else 422) from error
    return DeclarationView(declaration_id=declaration_id, course_id=course_id, **body.model_dump())


@router.get("/courses/{course_id}/recognitions", response_model=DeclarationPage)
async def declarations(db: Db, course_id: CourseIdPath, page: Pages) -> DeclarationPage:
    """Public: what the course's provider recognises, module by module."""
    async with db.connection() as conn:
        found = await recognition_store.declarations_for(conn, course_id)
    views = [
        DeclarationView(
            declaration_id=d.declaration_id,
            course_id=d.course_id,
            module_id=d.module_id,
            named=NamedModule(provider_id=d.named[0], course_id=d.named[1], module_id=d.named[2])
            if d.named
            else None,
            skills=sorted(d.skills),
            min_eqf_level=d.min_eqf_level,
            min_workload_hours=d.min_workload_hours,
            max_age_years=d.max_age_years,
            accepts_external=d.accepts_external,
        )
        for d in found
    ]
    items, next_cursor = page.window(views, lambda v: (v.declaration_id,), str)
    return DeclarationPage(items=items, next_cursor=next_cursor)


@router.get("/learners/{learner_id}/recognition", response_model=CoverageView)
async def check(
    db: Db,
    learner_id: Annotated[str, Path(max_length=128)],
    course_id: Annotated[str, Query(max_length=110)],
    principal: Caller,
) -> CoverageView:
    """Which modules of the course the learner's certificates cover, why, and what remains."""
    if not domain.may_see(principal.role, principal.sub, learner_id=learner_id, provider_id=None):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-certificates-only"))
    try:
        async with db.connection() as conn:
            course, found = await recognitions.check(conn, learner_id, course_id)
    except RecognitionError as error:
        raise _refused(error, 404) from error
    return CoverageView.of(learner_id, course_id, course.modules, found)


@router.post("/recognition-requests", response_model=RequestView, status_code=201)
async def ask(db: Db, body: Ask, principal: Caller) -> RequestView:
    """The learner (or a counsellor) asks the provider to recognise what the region found."""
    if not domain.may_enrol(principal.role, principal.sub, body.learner_id):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("own-certificates-only"))
    request_id = body.request_id or uuid.uuid4()
    try:
        async with db.unit_of_work() as uow:
            row = await recognitions.request(uow, request_id, body.learner_id, body.course_id)
    except RecognitionError as error:
        raise _refused(error, 409 if error.field == "request_id" else 422) from error
    return RequestView.of(row)


@router.get("/recognition-requests/{request_id}", response_model=RequestView)
async def show(db: Db, request_id: uuid.UUID, principal: Caller) -> RequestView:
    """The request and every decision on it (learner, the course's provider, staff)."""
    async with db.connection() as conn:
        row = await recognition_store.get_request(conn, request_id)
    if row is None or not domain.may_see(
        principal.role,
        principal.sub,
        learner_id=row.case.learner_id,
        provider_id=row.case.provider_id,
    ):
        raise ProblemError(404, MESSAGES("recognition-not-found"))
    return RequestView.of(row)


@router.post("/recognition-requests/{request_id}/decisions", response_model=RequestView)
async def decide(
    db: Db,
    request_id: uuid.UUID,
    body: Decide,
    principal: Annotated[Principal, Depends(require_role("provider"))],
) -> RequestView:
    """The course's provider decides: accepted, partial or refused (with a reason); final."""
    if problems := text_problems(body):
        raise ProblemError(422, MESSAGES("recognition-refused"), problems[0].message)
    decision = Decision(
        body.decision_id,
        body.outcome.value,
        tuple(dict.fromkeys(body.modules)),
        body.reason,
        principal.sub,
        body.supersedes,
    )
    try:
        async with db.unit_of_work() as uow:
            row = await recognitions.decide(uow, request_id, decision, datetime.now(UTC))
    except RecognitionError as error:
        status = {"request_id": 404, "supersedes": 409}.get(error.field, 422)
        raise _refused(error, status) from error
    return RequestView.of(row)
