"""What the cooperative answers: calls, proposals, projects, the report (with examples)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from zll.platform.pagination import Page

_SKILL = "http://data.europa.eu/esco/skill/S3.1"
_CALL: dict[str, Any] = {
    "call_id": "call-8e1b2c3d4f5a", "title": "Pflegehilfe Lippe 2027", "skills": [_SKILL],
    "municipalities": ["Detmold", "Lemgo"], "target_groups": ["working-age"],
    "starts_on": "2027-01-01", "ends_on": "2027-12-31", "budget_eur": 250000.0,
    "min_members": 2, "chamber_required": True, "gap_id": 12, "opened_by": "ops",
}  # fmt: skip


def _examples(*values: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(values)})


class GapOut(BaseModel):
    model_config = _examples({
        "gap_id": 12, "municipality": "Lemgo", "skill": _SKILL, "occupation": None,
        "horizon": "short", "demand": 30, "supply": 10, "gap": 20,
        "detected_at": "2026-12-01T09:30:00Z", "call_id": None,
    })  # fmt: skip
    gap_id: int
    municipality: str
    skill: str | None = None
    occupation: str | None = None
    horizon: str
    demand: int
    supply: int
    gap: int
    detected_at: AwareDatetime
    call_id: str | None = None


class GapPage(Page[GapOut]):
    """Detected gaps, newest first."""


class CallOut(BaseModel):
    model_config = _examples(_CALL)
    call_id: str
    title: str
    skills: list[str]
    municipalities: list[str]
    target_groups: list[str]
    starts_on: date
    ends_on: date
    budget_eur: float | None = None
    min_members: int
    chamber_required: bool
    gap_id: int | None = None
    opened_by: str


class NeedOut(BaseModel):
    kind: Literal["skill", "life-phase"]
    value: str
    municipality: str


class ReasonOut(BaseModel):
    code: str
    text_de: str
    text_en: str


class RoleOut(BaseModel):
    provider_id: str
    covers: list[NeedOut]
    seats: int
    courses: int
    reasons: list[ReasonOut]


class RuleOut(BaseModel):
    rule: str
    met: bool
    text_de: str
    text_en: str


class ProposalOut(BaseModel):
    members: list[RoleOut]
    uncovered: list[NeedOut]
    rules: list[RuleOut]


class TradeOffOut(BaseModel):
    size: int
    covered: int
    of: int
    provider_ids: list[str]


_NEED = {"kind": "skill", "value": _SKILL, "municipality": "Lemgo"}


class ProposalsOut(BaseModel):
    """Smallest consortia first; `uncoverable` is what no member has offered."""

    model_config = _examples({
        "call_id": "call-8e1b2c3d4f5a", "needs": [_NEED], "uncoverable": [],
        "proposals": [{"members": [{
            "provider_id": "vhs-lippe", "covers": [_NEED], "seats": 24, "courses": 2,
            "reasons": [{"code": "offered",
                         "text_de": "Hat 2 passende Kurse mit 24 Plätzen angeboten: …",
                         "text_en": "Offered 2 matching courses with 24 seats: …"}]}],
            "uncovered": [], "rules": [{"rule": "min-members", "met": True,
                                        "text_de": "Mindestens 1 Mitglieder: 1 im Vorschlag.",
                                        "text_en": "At least 1 members: 1 in this proposal."}]}],
        "trade_offs": [],
    })  # fmt: skip
    call_id: str
    needs: list[NeedOut]
    uncoverable: list[NeedOut]
    proposals: list[ProposalOut]
    trade_offs: list[TradeOffOut]


class PartOut(BaseModel):
    skill: str
    municipality: str
    target_groups: list[str] = []


class ProjectMemberOut(BaseModel):
    provider_id: str
    status: Literal["invited", "joined", "declined"]
    parts: list[PartOut]
    reasons: list[str]


class ChangeOut(BaseModel):
    from_state: str | None = None
    state: str
    changed_by: str
    changed_at: AwareDatetime


class OutcomeLine(BaseModel):
    provider_id: str
    municipality: str
    courses: int
    seats: int
    participants: int
    completions: int
    certificates: int


class OutcomeOut(BaseModel):
    courses: int
    seats: int
    participants: int
    completions: int
    certificates: int
    by_member_and_municipality: list[OutcomeLine]


class ProjectOut(BaseModel):
    """A project, its members, its history, and its outcome counted from real enrolments."""

    model_config = _examples({
        "project_id": "proj-3f2a9c1d7b4e", "call_id": "call-8e1b2c3d4f5a",
        "title": "Pflegehilfe Lippe 2027", "state": "running",
        "members": [{"provider_id": "vhs-lippe", "status": "joined",
                     "parts": [{"skill": _SKILL, "municipality": "Lemgo",
                                "target_groups": ["working-age"]}],
                     "reasons": ["Hat 2 passende Kurse mit 24 Plätzen angeboten: …"]}],
        "history": [{"from_state": None, "state": "idea", "changed_by": "ops",
                     "changed_at": "2026-12-01T10:00:00Z"}],
        "outcome": {"courses": 1, "seats": 12, "participants": 11, "completions": 9,
                    "certificates": 9, "by_member_and_municipality": [{
                        "provider_id": "vhs-lippe", "municipality": "Lemgo", "courses": 1,
                        "seats": 12, "participants": 11, "completions": 9,
                        "certificates": 9}]},
    })  # fmt: skip
    project_id: str
    call_id: str
    title: str
    state: str
    members: list[ProjectMemberOut]
    history: list[ChangeOut]
    outcome: OutcomeOut


class ReportRow(BaseModel):
    level: Literal["cell", "life-phase", "municipality", "region"]
    life_phase: str | None = None
    municipality: str | None = None
    field: str | None = Field(
        default=None,
        description="The ESCO skill group of the courses' skills (code and name, e.g. "
        "'S7 constructing'), or 'other (no known ESCO skill)'.",
    )
    courses: int
    seats: int
    participants: int | None = None
    waitlisted: int | None = None
    completions: int | None = None
    certificates: int | None = None
    waitlist_pressure: float | None = None
    suppressed: bool
    withheld: list[str] = Field(
        default_factory=list,
        description="Counts of this row hidden although not small (secondary suppression): "
        "published, a total minus them would give a small count away.",
    )


class GapMonth(BaseModel):
    month: str
    opened: int
    closed: int


class GapLine(BaseModel):
    municipality: str
    skill: str | None = None
    gap: int
    detected_at: AwareDatetime
    call_id: str | None = None
    closed_at: AwareDatetime | None = None


class GapFigures(BaseModel):
    opened: int
    closed: int
    open_at_end: int
    timeline: list[GapMonth]
    items: list[GapLine]


class ProjectFigures(BaseModel):
    project_id: str
    title: str
    state: str
    courses: int
    seats: int
    participants: int | None = None
    completions: int | None = None
    certificates: int | None = None


class EarlierPeriod(BaseModel):
    period: str
    courses: int | None = None
    seats: int | None = None
    participants: int | None = None
    completions: int | None = None
    certificates: int | None = None
    gaps_opened: int


class Trends(BaseModel):
    earlier: list[EarlierPeriod]
    direction: dict[str, Literal["rising", "falling", "steady"] | None]


class Suppression(BaseModel):
    smallest: int
    how: str


_ROW = {
    "level": "cell", "life_phase": "working-age", "municipality": "Lemgo",
    "field": "S3 assisting and caring",
    "courses": 3, "seats": 36, "participants": 31, "waitlisted": None, "completions": 22,
    "certificates": 22, "waitlist_pressure": None, "suppressed": True,
}  # fmt: skip


class Report(BaseModel):
    """The region's education report of one period."""

    model_config = _examples({
        "period": "2026", "start": "2026-01-01", "end": "2026-12-31",
        "suppression": {"smallest": 5, "how": "Counts from 1 to 4 are null."},
        "region": _ROW | {"level": "region", "life_phase": None, "municipality": None,
                          "field": None},
        "by_life_phase": [], "by_municipality": [], "cells": [_ROW],
        "gaps": {"opened": 1, "closed": 0, "open_at_end": 1,
                 "timeline": [{"month": "2026-03", "opened": 1, "closed": 0}],
                 "items": [{"municipality": "Lemgo", "skill": _SKILL, "gap": 20,
                            "detected_at": "2026-03-02T08:00:00Z", "call_id": None,
                            "closed_at": None}]},
        "projects": [{"project_id": "proj-3f2a9c1d7b4e", "title": "Pflegehilfe Lippe 2027",
                      "state": "running", "courses": 1, "seats": 12, "participants": 11,
                      "completions": 9, "certificates": None}],
        "trends": {"earlier": [{"period": "2025", "courses": 2, "seats": 24,
                                "participants": 20, "completions": 15, "certificates": 15,
                                "gaps_opened": 0}],
                   "direction": {"participants": "rising"}},
    })  # fmt: skip
    period: str
    start: date
    end: date
    suppression: Suppression
    region: ReportRow | None = None
    by_life_phase: list[ReportRow]
    by_municipality: list[ReportRow]
    cells: list[ReportRow]
    gaps: GapFigures
    projects: list[ProjectFigures]
    trends: Trends
