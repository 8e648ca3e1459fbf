"""The catalogue's HTTP API: providers and course search."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from services.catalog import store
from zll.platform.auth import Principal, require_role
from zll.platform.problems import ProblemError

router = APIRouter()
ProviderId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]


class ProviderRegistration(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Volkshochschule Region Kassel"])
    kind: str = Field(
        pattern=r"^[a-z0-9-]{2,40}$",
        description="volkshochschule, berufliche-schule, schule-fuer-erwachsene, hochschule, "
        "kammer, freier-traeger, …",
        examples=["volkshochschule"],
    )
    municipality: str = Field(min_length=1, max_length=100, examples=["Kassel"])


class ProviderOut(BaseModel):
    provider_id: str
    name: str
    kind: str
    municipality: str
    live_courses: int


class CoursePage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def _pool(request: Request) -> Any:
    return request.app.state.pool


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
    return _out(provider)


def _out(provider: store.Provider) -> ProviderOut:
    return ProviderOut(
        provider_id=provider.provider_id,
        name=provider.name,
        kind=provider.kind,
        municipality=provider.municipality,
        live_courses=provider.live_courses,
    )


@router.get("/providers", response_model=list[ProviderOut], tags=["providers"])
async def list_providers(request: Request) -> list[ProviderOut]:
    async with _pool(request).acquire() as conn:
        return [_out(p) for p in await store.list_providers(conn)]


@router.get("/providers/{provider_id}", response_model=ProviderOut, tags=["providers"])
async def get_provider(provider_id: ProviderId, request: Request) -> ProviderOut:
    async with _pool(request).acquire() as conn:
        provider = await store.get_provider(conn, provider_id)
    if provider is None:
        raise ProblemError(404, "Provider not found", f"No provider {provider_id!r} is registered.")
    return _out(provider)


@router.get("/courses/{course_id}", tags=["courses"])
async def get_course(
    course_id: Annotated[str, Path(max_length=110)], request: Request
) -> dict[str, Any]:
    """One course as last published, with `status` live or withdrawn."""
    async with _pool(request).acquire() as conn:
        course = await store.get_course(conn, course_id)
    if course is None:
        raise ProblemError(404, "Course not found", f"No course {course_id!r} is in the catalogue.")
    return course


@router.get("/courses", response_model=CoursePage, tags=["courses"])
async def search_courses(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="German full text")] = None,
    municipality: Annotated[str | None, Query(max_length=100)] = None,
    format: Annotated[Literal["onsite", "online", "blended"] | None, Query()] = None,
    provider: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{2,40}$")] = None,
    starts_after: date | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> CoursePage:
    where = store.CourseFilter(q, municipality, format, provider, starts_after)
    async with _pool(request).acquire() as conn:
        items = await store.search_courses(
            conn, where, after=_decode_cursor(cursor), limit=limit + 1
        )
    next_cursor = _encode_cursor(items[limit - 1]) if len(items) > limit else None
    return CoursePage(items=items[:limit], next_cursor=next_cursor)


def _encode_cursor(course: dict[str, Any]) -> str:
    raw = json.dumps([course["start_date"], course["course_id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        start, course_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        date.fromisoformat(start)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ProblemError(
            400,
            "Invalid cursor",
            "Use the next_cursor of a previous page.",
            errors=[{"field": "cursor", "message": "not a cursor this API issued"}],
        ) from error
    return (str(start), str(course_id))
