"""The cooperative's HTTP bodies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from zll_contracts.payloads import Answer, ProjectPart, ProjectState, TargetGroup
from zll_contracts.payloads.common import EscoSkillUri, ProviderId

from zll.platform.errors import Problem, Refused

# Text that PostgreSQL stores as it is: no NUL nor other control characters.
Plain = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Place = Annotated[
    str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Kind = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=r"^[a-z-]+$")]


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Handwerkskammer OWL", "kind": "chamber", "municipality": "Bielefeld"},
    ]})  # fmt: skip
    name: Plain
    kind: Kind = Field(description="e.g. chamber, volkshochschule, vocational-school")
    municipality: Place | None = None


class MemberOut(MemberIn):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "provider_id": "hwk-owl", "name": "Handwerkskammer OWL", "kind": "chamber",
        "municipality": "Bielefeld"}]})  # fmt: skip
    provider_id: ProviderId


class CallIn(BaseModel):
    """A funding programme or a need the region wants met."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "title": "Pflegehilfe Lippe 2027",
            "skills": ["http://data.europa.eu/esco/skill/S3.1"],
            "municipalities": ["Detmold", "Lemgo"], "target_groups": ["working-age"],
            "starts_on": "2027-01-01", "ends_on": "2027-12-31", "budget_eur": 250000,
            "min_members": 3, "chamber_required": True,
        }]},
    )  # fmt: skip
    title: Plain
    skills: Annotated[list[EscoSkillUri], Field(min_length=1, max_length=20)]
    municipalities: Annotated[list[Place], Field(min_length=1, max_length=50)]
    target_groups: Annotated[list[TargetGroup], Field(max_length=5)] = []
    starts_on: date
    ends_on: date
    budget_eur: Annotated[Decimal, Field(ge=0, le=1_000_000_000, decimal_places=2)] | None = None
    min_members: Annotated[int, Field(ge=1, le=50)] = 1
    chamber_required: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> CallIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class CallFromGap(BaseModel):
    """What the operator adds when confirming a gap as a call."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "starts_on": "2027-01-01", "ends_on": "2027-12-31", "min_members": 2,
        "chamber_required": True}]})  # fmt: skip
    title: Plain | None = None
    starts_on: date
    ends_on: date
    target_groups: Annotated[list[TargetGroup], Field(max_length=5)] = []
    min_members: Annotated[int, Field(ge=1, le=50)] = 1
    chamber_required: bool = False


class ProjectIn(BaseModel):
    """A project for a call, with the members to invite (default: the first proposal)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": "Pflegehilfe Lippe 2027"},
        {"title": "Pflegehilfe Lippe 2027", "members": ["vhs-lippe", "hwk-owl"]}]})  # fmt: skip
    title: Plain
    members: Annotated[list[ProviderId], Field(max_length=50)] | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"provider_id": "vhs-lippe", "answer": "join"},
        {"provider_id": "bbs-lemgo", "answer": "decline"}]})  # fmt: skip
    provider_id: ProviderId
    answer: Answer
    parts: Annotated[list[ProjectPart], Field(max_length=200)] | None = Field(
        default=None, description="The part taken; by default the part proposed."
    )

    @model_validator(mode="after")
    def _plain_places(self) -> AnswerIn:
        for part in self.parts or []:
            if any(ord(c) < 32 or ord(c) == 127 for c in part.municipality):
                raise ValueError("municipality must not contain control characters")
        return self


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"state": "consortium"}]})  # fmt: skip
    state: ProjectState


def check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Refused([Problem(
            "ends_on", "ends_on must not be before starts_on",
            "Das Ende liegt vor dem Beginn.", "The end lies before the start.",
        )])  # fmt: skip
