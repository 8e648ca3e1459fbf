"""The catalogue's HTTP API: providers, course search and facets, modules, overlaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from services.catalog import domain, query, search, store, vocabulary
from services.catalog.free_text import understand
from services.catalog.messages import MESSAGES
from services.catalog.schemas import (
    MAG_WELDING,
    CourseOut,
    CoursePage,
    Facets,
    ModulePage,
    OfferOut,
    OverlapOut,
    ProviderOut,
    ProviderRegistration,
    SuggestionOut,
    Suggestions,
)
from zll.platform import geography
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.pagination import Page, PageRequest, pages
from zll.platform.problems import ProblemError

router = APIRouter()
ProviderId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]
ESCO_SKILL = r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._-]+$"


def _invalid(field: str, key: str, **params: Any) -> ProblemError:
    return ProblemError(
        422,
        MESSAGES("invalid-request"),
        MESSAGES("invalid-request.detail", fields=field),
        errors=[{"field": field, "message": MESSAGES(key, **params)}],
    )


# --- providers ---------------------------------------------------------------------------


@router.put("/providers/{provider_id}", response_model=ProviderOut, tags=["providers"])
async def register_provider(
    db: Db,
    provider_id: ProviderId,
    registration: ProviderRegistration,
    _: Annotated[Principal, Depends(require_role("operator"))],
) -> ProviderOut:
    """Register a provider (or update its name, kind and municipality). Operators only."""
    async with db.connection() as conn:
        await store.upsert_provider(conn, store.Provider(provider_id, **registration.model_dump()))
        provider = await store.get_provider(conn, provider_id)
    assert provider is not None
    return ProviderOut.model_validate(provider, from_attributes=True)


@router.get("/providers", response_model=Page[ProviderOut], tags=["providers"])
async def list_providers(
    db: Db, page: Annotated[PageRequest, Depends(pages(default=100, maximum=500))]
) -> Page[ProviderOut]:
    """Registered providers by id."""
    # A region has dozens of providers, not millions: the keyset is applied in memory.
    async with db.connection() as conn:
        providers = await store.list_providers(conn)
    found, next_cursor = page.window(providers, lambda p: (p.provider_id,), str)
    items = [ProviderOut.model_validate(p, from_attributes=True) for p in found]
    return Page[ProviderOut](items=items, next_cursor=next_cursor)


@router.get("/providers/{provider_id}", response_model=ProviderOut, tags=["providers"])
async def get_provider(
    db: Db,
    provider_id: ProviderId,
) -> ProviderOut:
    async with db.connection() as conn:
        provider = await store.get_provider(conn, provider_id)
    if provider is None:
        raise ProblemError(
            404,
            MESSAGES("provider-not-found"),
            MESSAGES("provider-not-found.detail", provider_id=provider_id),
        )
    return ProviderOut.model_validate(provider, from_attributes=True)


# --- courses -----------------------------------------------------------------------------


DEFAULT_RADIUS_KM = 25.0


@dataclass(frozen=True, slots=True)
class Reading:
    """What the search understood: the words, the place (as named) and where it is, the
    radius (None without a place)."""

    q: str | None
    near: str | None
    here: tuple[float, float] | None
    radius_km: float | None

    def said(self) -> dict[str, Any]:
        return {"q": self.q, "near": self.near, "radius_km": self.radius_km}


async def reading(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="German full text; a postcode or town and a radius in it are read as "
            '`near` and `radius_km` ("Excel Kurs 34117 25 km", "Pflege Kassel 10km")',
        ),
    ] = None,
    near: Annotated[
        str | None,
        Query(
            max_length=120,
            description="a German postcode or town (wins over one in `q`)",
            examples=["34117"],
        ),
    ] = None,
    radius_km: Annotated[
        float | None,
        Query(gt=0, le=500, description="with a place; default 25 (wins over one in `q`)"),
    ] = None,
) -> Reading:
    """`q` read for a place and radius (free_text.understand); explicit parameters win."""
    told = understand(q.strip()) if q and q.strip() else None
    place = near.strip() if near and near.strip() else (told.place if told else None)
    here = geography.locate(place) if place else None
    if place and here is None:
        raise _invalid("near", "filter.near-unknown", near=place)
    radius = radius_km if radius_km is not None else (told.radius_km if told else None)
    return Reading(
        told.text if told else None,
        place,
        here,
        (radius or DEFAULT_RADIUS_KM) if here else None,
    )


Read = Annotated[Reading, Depends(reading)]


async def course_filter(
    read: Read,
    municipality: Annotated[str | None, Query(max_length=120)] = None,
    format: Literal["onsite", "online", "blended"] | None = None,
    skill: Annotated[str | None, Query(pattern=ESCO_SKILL, examples=[MAG_WELDING])] = None,
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
) -> search.CourseFilter:
    """The search filters, shared by `/courses` and `/courses/facets`."""
    if eqf_level is not None and (eqf_min is not None or eqf_max is not None):
        raise _invalid("eqf_level", "filter.eqf-both")
    if eqf_min is not None and eqf_max is not None and eqf_min > eqf_max:
        raise _invalid("eqf_min", "filter.eqf-order", eqf_min=eqf_min, eqf_max=eqf_max)
    levels: tuple[int, ...] | None = None
    if eqf_level is not None:
        levels = (eqf_level,)
    elif eqf_min is not None or eqf_max is not None:
        levels = tuple(range(eqf_min or 1, (eqf_max or 8) + 1))
    if starts_after and starts_before and starts_after >= starts_before:
        raise _invalid("starts_before", "filter.dates")
    return search.CourseFilter(
        read.q, municipality, format, provider, starts_after, starts_before, skill, levels,
        funding, target_group, max_price, near=read.here,
        radius_km=read.radius_km or DEFAULT_RADIUS_KM,
    )  # fmt: skip


Filter = Annotated[search.CourseFilter, Depends(course_filter)]


# Courses are served as stored, not re-validated on the hot search path: `responses`
# documents their schema, `response_model=None` keeps FastAPI from checking each one.
@router.get(
    "/courses", response_model=None, responses={200: {"model": CoursePage}}, tags=["courses"]
)
async def search_courses(
    db: Db,
    where: Filter,
    read: Read,
    page: Annotated[PageRequest, Depends(pages(default=20, maximum=100))],
) -> dict[str, Any]:
    """Live courses: with `q` by relevance then start date, otherwise by start date.

    `q` finds compounds containing its words (Pflege → Altenpflegehilfe), courses using the
    parts of a compound it contains, and words with a typo (one in 5–8 letters, two from 9),
    each below the courses with the words as typed. When nothing is found, `did_you_mean`
    offers the query with its unknown words replaced by the nearest known ones.

    A postcode or town and a radius in `q` ("Excel Kurs 34117 25 km") search near there;
    `understood` says what was read, and each course carries `distance_km` from it."""
    after = page.after(float, date, str)
    position = search.Position(*after) if after else None
    did_you_mean = None
    async with db.connection() as conn:
        where = await query.expand(conn, where)
        hits = await search.search_courses(conn, where, after=position, limit=page.limit + 1)
        if not hits and where.q and position is None:
            did_you_mean = await vocabulary.did_you_mean(conn, where.q)
    found, next_cursor = page.cut(hits, key=lambda hit: _key(hit[1]))
    return {
        "items": [_with_distance(course, read.here) for course, _ in found],
        "next_cursor": next_cursor,
        "did_you_mean": did_you_mean,
        "understood": read.said(),
    }


def _with_distance(course: dict[str, Any], here: tuple[float, float] | None) -> dict[str, Any]:
    """The course with how far it is from the place searched near, as the indexer placed it."""
    if here is None:
        return course
    where = course.get("location") or {}
    point = geography.course_point(
        where.get("lat"), where.get("lon"), where.get("postcode"), where.get("municipality")
    )
    distance = round(geography.haversine_km(here, point), 1) if point else None
    return {**course, "distance_km": distance}


def _key(position: search.Position) -> tuple[float, date, str]:
    return (position.rank, position.start_date, position.course_id)


@router.get("/courses/facets", response_model=Facets, tags=["courses"])
async def course_facets(db: Db, where: Filter) -> Facets:
    """Counts for a filter sidebar: the same filters as `/courses`, counted per value."""
    async with db.connection() as conn:
        counts = await search.facet_counts(conn, await query.expand(conn, where))
    return Facets(total=sum(counts["format"].values()), **counts)


@router.get("/courses/suggest", response_model=Suggestions, tags=["courses"])
async def suggest(
    db: Db,
    q: Annotated[str, Query(min_length=1, max_length=100, examples=["Schwe"])],
) -> Suggestions:
    """Completions while typing: course titles, skills (module titles) and places that
    start with `q`, then those with a word starting with it (from 3 letters); the most
    used first, at most 8."""
    async with db.connection() as conn:
        found = await vocabulary.suggest(conn, q.strip())
    return Suggestions(
        q=q,
        suggestions=[SuggestionOut(kind=s.kind, label=s.label, courses=s.courses) for s in found],
    )


@router.get(
    "/courses/{course_id}", response_model=None, responses={200: {"model": CourseOut}},
    tags=["courses"],
)  # fmt: skip
async def get_course(
    db: Db,
    course_id: Annotated[str, Path(max_length=110)],
) -> dict[str, Any]:
    """One course as last announced, with `status` live or withdrawn (then with `reason`)."""
    async with db.connection() as conn:
        course = await store.get_course(conn, course_id)
    if course is None:
        raise ProblemError(
            404,
            MESSAGES("course-not-found"),
            MESSAGES("course-not-found.detail", course_id=course_id),
        )
    return course


@router.get(
    "/modules", response_model=None, responses={200: {"model": ModulePage}}, tags=["courses"]
)
async def modules_teaching(
    db: Db,
    skill: Annotated[
        str, Query(pattern=ESCO_SKILL, description="ESCO skill URI", examples=[MAG_WELDING])
    ],
    page: Annotated[PageRequest, Depends(pages(default=100, maximum=500))],
) -> dict[str, Any]:
    """Modules of live courses, across providers, that teach a skill: each with its course,
    workload, EQF level and certificate kind; by course start date."""
    after = page.after(date, str, str)
    async with db.connection() as conn:
        hits = await search.modules_teaching(
            conn,
            skill,
            after=(after[0], after[1], after[2]) if after else None,
            limit=page.limit + 1,
        )
    found, next_cursor = page.cut(hits, key=_module_key)
    return {"items": found, "next_cursor": next_cursor}


def _module_key(module: dict[str, Any]) -> tuple[date, str, str]:
    return (date.fromisoformat(module["start_date"]), module["course_id"], module["module_id"])


# --- coordination ------------------------------------------------------------------------


@router.get("/coordination/overlaps", response_model=Page[OverlapOut], tags=["coordination"])
async def overlaps(
    db: Db,
    page: Annotated[PageRequest, Depends(pages(default=50, maximum=500))],
    provider: Annotated[
        str | None, Query(pattern=r"^[a-z0-9-]{2,40}$", description="its courses come first")
    ] = None,
    municipality: Annotated[str | None, Query(max_length=120)] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = domain.THRESHOLD,
) -> Page[OverlapOut]:
    """Live courses of different providers that compete for the same learners, best first."""
    async with db.connection() as conn:
        pairs = await search.overlap_candidates(
            conn, provider_id=provider, municipality=municipality, limit=5_000
        )
    found = [o for a, b in pairs if (o := domain.overlap(a, b)) and o.score >= min_score]
    # Scored in memory from at most 5 000 candidate pairs: the keyset is the sort key.
    found.sort(key=_rank)
    shown, next_cursor = page.window(found, _rank, float, str, str)
    return Page[OverlapOut](items=[_overlap_out(o) for o in shown], next_cursor=next_cursor)


def _rank(o: domain.Overlap) -> tuple[float, str, str]:
    return (-o.score, o.a.course_id, o.b.course_id)


def _overlap_out(o: domain.Overlap) -> OverlapOut:
    return OverlapOut(
        score=o.score,
        reason=o.reason_de,
        reason_en=o.reason_en,
        courses=(_offer_out(o.a), _offer_out(o.b)),
        shared_skills=list(o.shared_skills),
        parts={k: round(v, 3) for k, v in o.parts.items()},
    )


def _offer_out(offer: domain.Offer) -> OfferOut:
    return OfferOut(
        course_id=offer.course_id,
        provider_id=offer.provider_id,
        title=offer.title,
        municipality=offer.municipality,
        start_date=offer.start,
        end_date=offer.end,
    )
