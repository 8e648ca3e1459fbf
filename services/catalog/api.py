"""The catalogue's HTTP API: providers, course search and facets, modules, overlaps."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from services.catalog import domain, store
from zll.platform.auth import Principal, require_role
from zll.platform.problems import ProblemError

router = APIRouter()
ProviderId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]
ESCO_SKILL = r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._-]+$"
PROVIDER_KINDS = (
    "volkshochschule, berufliche-schule, schule-fuer-erwachsene, hochschule, kammer, "
    "freier-traeger, … (any lower-case slug)"
)


class ProviderRegistration(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Volkshochschule Region Kassel"])
    kind: str = Field(
        pattern=r"^[a-z0-9-]{2,40}$", description=PROVIDER_KINDS, examples=["volkshochschule"]
    )
    municipality: str = Field(min_length=1, max_length=100, examples=["Kassel"])


class ProviderOut(BaseModel):
    provider_id: str
    name: str
    kind: str = Field(description=PROVIDER_KINDS)
    municipality: str
    live_courses: int = Field(description="Courses of this provider that are live right now.")


class CoursePage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same filters) for the next page; null at the end."
    )


class Facets(BaseModel):
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


class OverlapOut(BaseModel):
    score: float = Field(ge=0, le=1)
    reason: str = Field(description="Plain German, for the region's coordinators.")
    reason_en: str
    courses: tuple[OfferOut, OfferOut]
    shared_skills: list[str]
    parts: dict[str, float] = Field(description="Each criterion in [0, 1] before weighting.")


def _pool(request: Request) -> Any:
    return request.app.state.pool


def _invalid(field: str, message: str) -> ProblemError:
    return ProblemError(
        422, "Invalid request", message, errors=[{"field": field, "message": message}]
    )


# --- providers ---------------------------------------------------------------------------


@router.put("/providers/{provider_id}", response_model=ProviderOut, tags=["providers"])
async def register_provider(
    provider_id: ProviderId,
    registration: ProviderRegistration,
    request: Request,
    _: Annotated[Principal, Depends(require_role("operator"))],
) -> ProviderOut:
    """Register a provider (or update its name, kind and municipality). Operators only."""
    async with _pool(request).acquire() as conn:
        await store.upsert_provider(conn, store.Provider(provider_id, **registration.model_dump()))
        provider = await store.get_provider(conn, provider_id)
    assert provider is not None
    return ProviderOut.model_validate(provider, from_attributes=True)


@router.get("/providers", response_model=list[ProviderOut], tags=["providers"])
async def list_providers(request: Request) -> list[ProviderOut]:
    async with _pool(request).acquire() as conn:
        providers = await store.list_providers(conn)
    return [ProviderOut.model_validate(p, from_attributes=True) for p in providers]


@router.get("/providers/{provider_id}", response_model=ProviderOut, tags=["providers"])
async def get_provider(provider_id: ProviderId, request: Request) -> ProviderOut:
    async with _pool(request).acquire() as conn:
        provider = await store.get_provider(conn, provider_id)
    if provider is None:
        raise ProblemError(404, "Provider not found", f"No provider {provider_id!r} is registered.")
    return ProviderOut.model_validate(provider, from_attributes=True)


# --- courses -----------------------------------------------------------------------------


def course_filter(
    q: Annotated[str | None, Query(max_length=200, description="German full text")] = None,
    municipality: Annotated[str | None, Query(max_length=120)] = None,
    format: Literal["onsite", "online", "blended"] | None = None,
    skill: Annotated[str | None, Query(pattern=ESCO_SKILL, description="ESCO skill URI")] = None,
    eqf_level: Annotated[
        int | None, Query(ge=1, le=8, description="a module at this level")
    ] = None,
    eqf_min: Annotated[int | None, Query(ge=1, le=8)] = None,
    eqf_max: Annotated[int | None, Query(ge=1, le=8)] = None,
    starts_after: Annotated[date | None, Query(description="start date strictly after")] = None,
    starts_before: Annotated[date | None, Query(description="start date strictly before")] = None,
    funding: Annotated[str | None, Query(max_length=64, examples=["bildungsgutschein"])] = None,
    target_group: Literal["early-childhood", "school", "transition", "working-age", "senior"]
    | None = None,
    provider: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{2,40}$")] = None,
    max_price: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
) -> store.CourseFilter:
    """The search filters, shared by `/courses` and `/courses/facets`."""
    if eqf_level is not None and (eqf_min is not None or eqf_max is not None):
        raise _invalid("eqf_level", "use either eqf_level or eqf_min/eqf_max, not both")
    if eqf_min is not None and eqf_max is not None and eqf_min > eqf_max:
        raise _invalid("eqf_min", f"eqf_min ({eqf_min}) is above eqf_max ({eqf_max})")
    levels: tuple[int, ...] | None = None
    if eqf_level is not None:
        levels = (eqf_level,)
    elif eqf_min is not None or eqf_max is not None:
        levels = tuple(range(eqf_min or 1, (eqf_max or 8) + 1))
    if starts_after and starts_before and starts_after >= starts_before:
        raise _invalid("starts_before", "starts_before must be later than starts_after")
    q = q.strip() if q else None
    return store.CourseFilter(
        q or None, municipality, format, provider, starts_after, starts_before, skill, levels,
        funding, target_group, max_price,
    )  # fmt: skip


Filter = Annotated[store.CourseFilter, Depends(course_filter)]


@router.get("/courses", response_model=CoursePage, tags=["courses"])
async def search_courses(
    request: Request,
    where: Filter,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> CoursePage:
    """Live courses: with `q` by relevance then start date, otherwise by start date."""
    after = _decode_cursor(cursor, where) if cursor else None
    async with _pool(request).acquire() as conn:
        hits = await store.search_courses(conn, where, after=after, limit=limit + 1)
    next_cursor = _encode_cursor(hits[limit - 1][1], where) if len(hits) > limit else None
    return CoursePage(items=[course for course, _ in hits[:limit]], next_cursor=next_cursor)


@router.get("/courses/facets", response_model=Facets, tags=["courses"])
async def course_facets(request: Request, where: Filter) -> Facets:
    """Counts for a filter sidebar: the same filters as `/courses`, counted per value."""
    async with _pool(request).acquire() as conn:
        counts = await store.facet_counts(conn, where)
    return Facets(total=sum(counts["format"].values()), **counts)


@router.get("/courses/{course_id}", tags=["courses"])
async def get_course(
    course_id: Annotated[str, Path(max_length=110)], request: Request
) -> dict[str, Any]:
    """One course as last announced, with `status` live or withdrawn (then with `reason`)."""
    async with _pool(request).acquire() as conn:
        course = await store.get_course(conn, course_id)
    if course is None:
        raise ProblemError(404, "Course not found", f"No course {course_id!r} is in the catalogue.")
    return course


@router.get("/modules", tags=["courses"])
async def modules_teaching(
    request: Request,
    skill: Annotated[str, Query(pattern=ESCO_SKILL, description="ESCO skill URI")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Modules of live courses, across providers, that teach a skill: each with its course,
    workload, EQF level and certificate kind."""
    async with _pool(request).acquire() as conn:
        return await store.modules_teaching(conn, skill, limit)


# --- coordination ------------------------------------------------------------------------


@router.get("/coordination/overlaps", response_model=list[OverlapOut], tags=["coordination"])
async def overlaps(
    request: Request,
    provider: Annotated[
        str | None, Query(pattern=r"^[a-z0-9-]{2,40}$", description="its courses come first")
    ] = None,
    municipality: Annotated[str | None, Query(max_length=120)] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = domain.THRESHOLD,
) -> list[OverlapOut]:
    """Live courses of different providers that compete for the same learners, best first."""
    async with _pool(request).acquire() as conn:
        pairs = await store.overlap_candidates(
            conn, provider_id=provider, municipality=municipality, limit=5_000
        )
    found = [o for a, b in pairs if (o := domain.overlap(a, b)) and o.score >= min_score]
    found.sort(key=lambda o: (-o.score, o.a.course_id, o.b.course_id))
    return [
        OverlapOut(
            score=o.score,
            reason=o.reason_de,
            reason_en=o.reason_en,
            courses=(_offer_out(o.a), _offer_out(o.b)),
            shared_skills=list(o.shared_skills),
            parts={k: round(v, 3) for k, v in o.parts.items()},
        )
        for o in found
    ]


def _offer_out(offer: domain.Offer) -> OfferOut:
    return OfferOut(
        course_id=offer.course_id,
        provider_id=offer.provider_id,
        title=offer.title,
        municipality=offer.municipality,
        start_date=offer.start,
        end_date=offer.end,
    )


# --- cursors: opaque, tied to the filter they were issued for ---------------------------


def _fingerprint(where: store.CourseFilter) -> str:
    return hashlib.sha256(repr(where).encode()).hexdigest()[:12]


def _encode_cursor(position: store.Position, where: store.CourseFilter) -> str:
    raw = [position.rank, position.start_date.isoformat(), position.course_id, _fingerprint(where)]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()


def _decode_cursor(cursor: str, where: store.CourseFilter) -> store.Position:
    try:
        rank, start, course_id, fingerprint = json.loads(base64.urlsafe_b64decode(cursor))
        position = store.Position(float(rank), date.fromisoformat(start), str(course_id))
    except (ValueError, TypeError, binascii.Error) as error:
        raise _bad_cursor("not a cursor this API issued") from error
    if fingerprint != _fingerprint(where):
        raise _bad_cursor("this cursor belongs to a search with other filters")
    return position


def _bad_cursor(message: str) -> ProblemError:
    return ProblemError(
        400,
        "Invalid cursor",
        "Use the next_cursor of a previous page, with the same filters.",
        errors=[{"field": "cursor", "message": message}],
    )
