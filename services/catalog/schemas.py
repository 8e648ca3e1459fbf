"""The catalog's HTTP bodies, each with an example a partner's developer can start from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from zll_contracts.payloads import CoursePublished

from zll.platform.pagination import Page

PROVIDER_KINDS = (
    "volkshochschule, berufliche-schule, schule-fuer-erwachsene, hochschule, kammer, "
    "freier-traeger, … (any lower-case slug)"
)
_SKILL = "http://data.europa.eu/esco/skill/"
MAG_WELDING = _SKILL + "60ff3eac-7d4d-4e51-87b8-74c3b5d62498"
WELDING_EQUIPMENT = _SKILL + "2fcd95a4-1f9a-41cf-95a9-4701bde476b4"
MODULE_EXAMPLE: dict[str, Any] = {
    "module_id": "MAG",
    "title": "MAG-Schweißen (135)",
    "workload_hours": 60,
    "eqf_level": 3,
    "skills": [MAG_WELDING, WELDING_EQUIPMENT],
    "certificate": "module-certificate",
}
COURSE_EXAMPLE: dict[str, Any] = {
    "course_id": "oskar-von-miller-schule:SCHW-MAG-WIG-27",
    "provider_id": "oskar-von-miller-schule",
    "revision": 1,
    "title": "Schweißen Grundkurs MAG/WIG",
    "description": "Abendkurs in der Schweißwerkstatt: MAG- und WIG-Schweißen an Blech und Rohr.",
    "language": "de",
    "format": "onsite",
    "location": {"municipality": "Kassel", "postcode": "34125", "street": "Weserstraße 7"},
    "start_date": "2027-02-01",
    "end_date": "2027-04-28",
    "schedule": "Mo + Mi 17:30–21:00",
    "capacity": 12,
    "price_eur": 1290.0,
    "funding": ["bildungsgutschein"],
    "target_groups": ["working-age"],
    "modules": [MODULE_EXAMPLE],
    "published_at": "2026-11-23T09:15:00Z",
    "status": "live",
}


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ProviderRegistration(BaseModel):
    model_config = _example(
        {
            "name": "Volkshochschule Region Kassel",
            "kind": "volkshochschule",
            "municipality": "Kassel",
        }
    )

    name: str = Field(min_length=1, max_length=200, examples=["Volkshochschule Region Kassel"])
    kind: str = Field(
        pattern=r"^[a-z0-9-]{2,40}$", description=PROVIDER_KINDS, examples=["volkshochschule"]
    )
    municipality: str = Field(min_length=1, max_length=100, examples=["Kassel"])


class ProviderOut(BaseModel):
    model_config = _example(
        {
            "provider_id": "vhs-region-kassel",
            "name": "Volkshochschule Region Kassel",
            "kind": "volkshochschule",
            "municipality": "Kassel",
            "live_courses": 14,
        }
    )

    provider_id: str
    name: str
    kind: str = Field(description=PROVIDER_KINDS)
    municipality: str
    live_courses: int = Field(description="Courses of this provider that are live right now.")


class CourseOut(CoursePublished):
    """A course as the catalog last published it (documentation; served as stored)."""

    model_config = _example(COURSE_EXAMPLE)

    status: Literal["live", "withdrawn"]
    reason: str | None = Field(default=None, description="Why it was withdrawn.")
    withdrawn_at: datetime | None = None


class CourseHit(CourseOut):
    """A course found by search (documentation; served as stored)."""

    distance_km: float | None = Field(
        default=None,
        description="Only when searching near a place: how far the course is from it, in km "
        "as the crow flies (null for a course without a place, e.g. online).",
        examples=[3.2],
    )


class Understood(BaseModel):
    """What the search read from its parameters and the words of `q`."""

    q: str | None = Field(
        description="The words searched: `q` without the place and radius read from it.",
        examples=["Excel Kurs"],
    )
    near: str | None = Field(
        description="The postcode or town searched near (`near`, else read from `q`).",
        examples=["34117"],
    )
    radius_km: float | None = Field(
        description="The radius around `near` (`radius_km`, else read from `q`, else 25); "
        "null without a place.",
        examples=[25],
    )


class CoursePage(Page[CourseHit]):
    """Live courses, one page."""

    did_you_mean: str | None = Field(
        default=None,
        description="When nothing is found: the query with its unknown words replaced by "
        "the nearest words the catalogue uses, else null.",
        examples=["schweissen kurs"],
    )
    understood: Understood | None = Field(
        default=None,
        description='What was searched: for q="Excel Kurs 34117 25 km", '
        '{"q": "Excel Kurs", "near": "34117", "radius_km": 25}.',
    )


class SuggestionOut(BaseModel):
    kind: Literal["title", "skill", "place"] = Field(
        description="title: a course title; skill: a module title; place: a municipality"
    )
    label: str = Field(examples=["Schweißen Grundkurs MAG/WIG"])
    courses: int = Field(description="How many live courses use it.")


class Suggestions(BaseModel):
    model_config = _example(
        {
            "q": "Schwe",
            "suggestions": [
                {"kind": "title", "label": "Schweißen Grundkurs MAG/WIG", "courses": 3},
                {"kind": "skill", "label": "Schweißtechnik", "courses": 1},
            ],
        }
    )

    q: str
    # Not `items`: completions are the best few for what was typed, not a list to page through.
    suggestions: list[SuggestionOut]


class ModuleHit(BaseModel):
    """A module of a live course that teaches the skill asked for (documentation)."""

    model_config = _example(
        {
            "course_id": "oskar-von-miller-schule:SCHW-MAG-WIG-27",
            "provider_id": "oskar-von-miller-schule",
            "course_title": "Schweißen Grundkurs MAG/WIG",
            "municipality": "Kassel",
            "start_date": "2027-02-01",
            **MODULE_EXAMPLE,
        }
    )

    course_id: str
    provider_id: str
    course_title: str
    municipality: str | None
    start_date: date
    module_id: str
    title: str
    workload_hours: float
    eqf_level: int
    skills: list[str]
    certificate: str


class ModulePage(Page[ModuleHit]):
    """Modules teaching a skill, one page."""


class Facets(BaseModel):
    model_config = _example(
        {
            "total": 3,
            "municipality": {"Kassel": 2, "online": 1},
            "format": {"onsite": 2, "online": 1},
            "eqf_level": {"2": 1, "3": 2},
            "funding": {"bildungsgutschein": 2},
        }
    )

    total: int = Field(description="Live courses matching the filter.")
    municipality: dict[str, int] = Field(description="'online' counts courses without a place")
    format: dict[str, int]
    eqf_level: dict[str, int] = Field(description="Courses with at least one module at a level")
    funding: dict[str, int]


class OfferOut(BaseModel):
    course_id: str
    provider_id: str
    title: str
    municipality: str | None
    start_date: date
    end_date: date


_OFFERS = [
    {
        "course_id": "oskar-von-miller-schule:SCHW-MAG-WIG-27",
        "provider_id": "oskar-von-miller-schule",
        "title": "Schweißen Grundkurs MAG/WIG",
        "municipality": "Kassel",
        "start_date": "2027-02-01",
        "end_date": "2027-04-28",
    },
    {
        "course_id": "vhs-region-kassel:BN-SCHWEISSEN-27",
        "provider_id": "vhs-region-kassel",
        "title": "Schweißen für Einsteiger",
        "municipality": "Baunatal",
        "start_date": "2027-02-08",
        "end_date": "2027-03-29",
    },
]


class OverlapOut(BaseModel):
    model_config = _example(
        {
            "score": 0.82,
            "reason": "Gleiche Kompetenzen (MAG-Schweißen); Kassel und Baunatal "
            "(Nachbargemeinden); zeitgleich Feb–Mär 2027",
            "reason_en": "Same skills (MAG welding); Kassel and Baunatal (neighbours); "
            "at the same time Feb–Mar 2027",
            "courses": _OFFERS,
            "shared_skills": [MAG_WELDING],
            "parts": {"skills": 0.67, "text": 0.5, "place": 0.8, "dates": 1.0, "eqf": 1.0},
        }
    )

    score: float = Field(ge=0, le=1)
    reason: str = Field(description="Plain German, for the region's coordinators.")
    reason_en: str
    courses: tuple[OfferOut, OfferOut]
    shared_skills: list[str]
    parts: dict[str, float] = Field(description="Each criterion in [0, 1] before weighting.")
