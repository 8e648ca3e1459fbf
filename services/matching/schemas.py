"""Matching's HTTP bodies for rounds and placements, each with an example to start from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from zll_contracts.payloads.common import OpaqueId
from zll_contracts.payloads.placements import OfferKind

from services.matching.domain import rounds
from services.matching.domain.allocation import Unused
from services.matching.domain.placements import PlacementStatus
from zll.platform.pagination import Page

_COURSE = "vhs-region-kassel:EXCEL-27"
_OTHER = "lippe-bildung:FIBU-DATEV-27"
PLACEMENT_EXAMPLE: dict[str, Any] = {
    "placement_id": "9a2e4c6b-1d3f-4a5b-8c7d-0e1f2a3b4c5d",
    "learner_id": "lena",
    "offer_id": _COURSE,
    "offer_kind": "course",
    "round_id": "c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
    "status": "proposed",
    "proposed_at": "2026-11-23T10:00:00Z",
    "decided_at": None,
    "reason": None,
}


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


GroupName = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class QuotaIn(BaseModel):
    group: GroupName = Field(description="e.g. wiedereinstieg, bildungsgutschein, Baunatal.")
    seats: int = Field(ge=1, le=1_000_000, description="Seats reserved for the group.")
    unused: Unused = Field(
        default=Unused.RELEASED,
        description="released: seats no member takes go to everyone, in priority order; "
        "kept: they stay empty.",
    )


class OfferIn(BaseModel):
    offer_id: OpaqueId = Field(description="A course_id for courses, else the opportunity id.")
    capacity: int = Field(ge=0, le=1_000_000)
    priority: list[OpaqueId | list[OpaqueId]] | None = Field(
        default=None,
        description="Learners the offer accepts, best first; a list inside is a tie that the "
        "round's lottery breaks. Or give `rule`.",
    )
    rule: rounds.PriorityRule | None = Field(
        default=None,
        description="first-come: by `applied_at` (equal times tie, the lottery decides), else "
        "application order; residents-first: learners of the offer's municipality first, then "
        "the rest, each in first-come order.",
    )
    municipality: str | None = Field(default=None, max_length=120)
    kind: OfferKind = OfferKind.COURSE
    quotas: list[QuotaIn] = Field(
        default_factory=list,
        max_length=20,
        description="Reserved shares, filled first, in this order (DoSV's advance quotas); "
        "the open seats are the capacity minus all of them.",
    )


class ApplicationIn(BaseModel):
    learner_id: OpaqueId
    ranking: list[OpaqueId] = Field(max_length=200, description="Offers, most wanted first.")
    municipality: str | None = Field(default=None, max_length=120)
    groups: list[GroupName] = Field(
        default_factory=list, max_length=20, description="Quota groups the learner belongs to."
    )
    applied_at: AwareDatetime | None = Field(
        default=None, description="For first-come; give it for every application or none."
    )


class RoundIn(BaseModel):
    model_config = _example(
        {
            "offers": [
                {"offer_id": _COURSE, "capacity": 1, "rule": "first-come"},
                {"offer_id": _OTHER, "capacity": 1, "priority": ["ben", "lena"]},
            ],
            "applications": [
                {"learner_id": "lena", "ranking": [_COURSE, _OTHER]},
                {"learner_id": "ben", "ranking": [_COURSE]},
            ],
            "publish": False,
        }
    )

    offers: list[OfferIn] = Field(max_length=200_000)
    applications: list[ApplicationIn] = Field(max_length=2_000_000)
    publish: bool = False
    seed: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The lottery seed, published with the round; a random one when absent.",
    )
    waves: int = Field(
        default=1, ge=1, le=12, description="Waves to run; more than one needs `publish`."
    )
    replaces: UUID | None = Field(
        default=None, description="The round this one re-runs; the old one stays on record."
    )


class BlockCutoffOut(BaseModel):
    group: str | None = Field(description="The quota's group; null for the open seats.")
    seats: int
    filled: int
    cutoff: int | None = Field(
        description="Rank of the last learner admitted when the block is full, else null."
    )
    kept: bool = False


class RoundOut(BaseModel):
    model_config = _example(
        {
            "round_id": "c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
            "assignments": {"lena": _COURSE, "ben": None},
            "filled": {_COURSE: 1, _OTHER: 0},
            "unplaced": 1,
            "published": False,
            "placements": {},
        }
    )

    round_id: str
    assignments: dict[str, str | None]
    filled: dict[str, int] = Field(description="Seats taken per offer.")
    unplaced: int
    published: bool
    placements: dict[str, str] = Field(
        default_factory=dict,
        description="learner_id -> placement_id proposed in this wave, when published.",
    )
    seed: str = Field(default="", description="The lottery seed: recompute every rank with it.")
    wave: int = 1
    waves: int = 1
    cutoffs: dict[str, list[BlockCutoffOut]] = Field(
        default_factory=dict, description="Per offer, its reserved blocks then the open seats."
    )


class RoundOffer(BaseModel):
    offer_id: str
    kind: OfferKind
    capacity: int
    filled: int


class RoundView(BaseModel):
    """A stored round: its offers and who got what."""

    model_config = _example(
        {
            "round_id": "c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
            "created_by": "beratung-kassel",
            "created_at": "2026-11-23T10:00:00Z",
            "published": False,
            "applicants": 2,
            "offers": [{"offer_id": _COURSE, "kind": "course", "capacity": 1, "filled": 1}],
            "assignments": {"lena": _COURSE, "ben": None},
        }
    )

    round_id: str
    created_by: str
    created_at: datetime
    published: bool
    applicants: int
    offers: list[RoundOffer]
    assignments: dict[str, str | None]
    seed: str | None = None
    wave: int = 1
    waves: int = 1
    replaces: str | None = None
    rerun_as: list[str] = Field(default_factory=list, description="Rounds that re-ran this one.")
    cutoffs: dict[str, list[BlockCutoffOut]] = Field(default_factory=dict)


class MissedOut(BaseModel):
    wish: int
    offer_id: str
    rank: int | None = Field(description="Your rank there; null when it cannot take you.")
    withdrawn: bool = Field(description="You gave this wish up by accepting or declining.")


class OutcomeOut(BaseModel):
    """Why a learner got what they got in a round's latest wave."""

    model_config = _example(
        {
            "round_id": "c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
            "wave": 1,
            "learner_id": "lena",
            "offer_id": _OTHER,
            "wish": 2,
            "rank": 4,
            "missed": [{"wish": 1, "offer_id": _COURSE, "rank": 52, "withdrawn": False}],
            "explanation": {
                "de": f"Bei Ihrem 1. Wunsch ({_COURSE}) ging der letzte Platz an Rang 37, "
                f"Ihr Rang war 52. Platz bei Ihrem 2. Wunsch ({_OTHER}); Ihr Rang dort: 4.",
                "en": f"At your 1st wish ({_COURSE}) the last place went to priority rank 37, "
                f"yours was 52. Placed at your 2nd wish ({_OTHER}); your rank there: 4.",
            },
        }
    )

    round_id: str
    wave: int
    learner_id: str
    offer_id: str | None = None
    wish: int | None = None
    rank: int | None = None
    missed: list[MissedOut]
    explanation: dict[str, str] = Field(description="The same, said in German and English.")


# Nullable fields default to None: FastAPI drops nulls from the OpenAPI document, examples
# included, so an example can only show such a field absent.
class PlacementOut(BaseModel):
    model_config = _example(PLACEMENT_EXAMPLE)

    placement_id: str
    learner_id: str
    offer_id: str
    offer_kind: OfferKind
    round_id: str | None
    status: PlacementStatus
    proposed_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None


class PlacementPage(Page[PlacementOut]):
    """A learner's placements, oldest proposal first, one page."""


class ProposalIn(BaseModel):
    model_config = _example({"learner_id": "lena", "offer_id": _COURSE, "offer_kind": "course"})

    learner_id: OpaqueId
    offer_id: OpaqueId = Field(description="A live course_id, or a live opportunity's id.")
    offer_kind: OfferKind


class DeclineIn(BaseModel):
    model_config = _example({"reason": "Der Kurs ist zu weit weg."})

    reason: str | None = Field(default=None, max_length=2_000)


# --- counselling: profiles and recommendations are served as built, documented by example ----

_MAG = "http://data.europa.eu/esco/skill/60ff3eac-7d4d-4e51-87b8-74c3b5d62498"
_TIG = "http://data.europa.eu/esco/skill/a51adea8-bf02-488a-a0d8-b0961caca5b0"
_WELDING = "oskar-von-miller-schule:SCHW-MAG-WIG-27"
PROFILE_IN_EXAMPLE: dict[str, Any] = {
    "goal": {"text": "Schweißen"},
    "held_skills": [],
    "municipality": "Baunatal",
    "travel_km": 25,
    "formats": ["onsite"],
    "budget_eur": 1500,
    "languages": ["de"],
    "times_of_day": ["evening"],
    "life_phase": "working-age",
    "funding": ["bildungsgutschein"],
}
PROFILE_EXAMPLE: dict[str, Any] = {
    **PROFILE_IN_EXAMPLE,
    "goal": {"occupation": None, "skills": [], "text": "Schweißen"},
    "learner_id": "lena",
    "goal_skills": [
        {"uri": _MAG, "label": "perform metal active gas welding"},
        {"uri": _TIG, "label": "perform tungsten inert gas welding"},
    ],
    "held_skills": [],
    "earned_skills": [],
}
RECOMMENDATIONS_EXAMPLE: dict[str, Any] = {
    "learner_id": "lena",
    "goal_skills": PROFILE_EXAMPLE["goal_skills"],
    "held_skills": [],
    "gap": PROFILE_EXAMPLE["goal_skills"],
    "courses": [
        {
            "course_id": _WELDING,
            "provider_id": "oskar-von-miller-schule",
            "title": "Schweißen Grundkurs MAG/WIG",
            "teaches": [_MAG, _TIG],
            "modules": ["MAG", "WIG"],
            "distance_km": 9.8,
            "cost_eur": 0.0,
            "funding_used": "bildungsgutschein",
            "start_date": "2027-02-01",
            "explanation": "Lehrt 2 von 2 fehlenden Kompetenzen; 9,8 km entfernt; abends.",
        }
    ],
    "pathway": {
        "steps": [
            {
                "course_id": _WELDING,
                "module_id": "MAG",
                "title": "MAG-Schweißen (135)",
                "eqf_level": 3,
                "skills": [_MAG],
                "start_date": "2027-02-01",
                "end_date": "2027-04-28",
                "workload_hours": 60,
            }
        ],
        "covers": [_MAG],
        "missing": [],
        "total_workload_hours": 60,
        "total_cost_eur": 0.0,
        "skipped": [
            {
                "course_id": _WELDING,
                "module_id": "Sicherheit",
                "title": "Arbeitssicherheit beim Schweißen",
                "workload_hours": 20,
                "reason_de": "Modul 1 wird angerechnet: Arbeitssicherheit, vhs-kassel, 2026, "
                "EQF 2, 20 h",
                "reason_en": "Module 1 is recognised: Arbeitssicherheit, vhs-kassel, 2026, "
                "EQF 2, 20 h",
                "decided": False,
            }
        ],
        "saved_workload_hours": 20,
        "saved_eur": 0.0,
        "explanation": [
            "Schweißen Grundkurs MAG/WIG: Modul 1 wird angerechnet: Arbeitssicherheit, "
            "vhs-kassel, 2026, EQF 2, 20 h"
        ],
    },
    "opportunities": [],
}


def example(body: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an operation that answers a plain dict: its 200 body by example."""
    return {200: {"content": {"application/json": {"example": body}}}}
