"""The region's catalogue back out: open-Qcat for KURSNET's upload, OOAPI v5 for any client."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from services.intake import catalogue
from services.intake.export import (
    Course,
    ooapi_course,
    ooapi_offering,
    ooapi_page,
    write_openqcat,
)
from zll.platform.database import Database, Db

router = APIRouter(tags=["exports"])
Provider = Annotated[
    str | None,
    Query(pattern=r"^[a-z0-9-]{2,40}$", description="one provider; the whole region without"),
]
PageNumber = Annotated[int, Query(alias="pageNumber", ge=1, le=100_000)]
PageSize = Annotated[int, Query(alias="pageSize", ge=1, le=250)]
_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 256 * 1024


@router.get(
    "/exports/openqcat",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/xml": {}}, "description": "open-Qcat 1.1"}},
)
async def export_openqcat(db: Db, provider: Provider = None) -> StreamingResponse:
    """The live catalogue of one provider (or the region) as a full open-Qcat 1.1 catalogue
    (`NEW_CATALOG FULLCATALOG="true"`), as KURSNET's upload takes it. Public, like search."""
    async with db.connection() as conn:
        courses = [c async for c in catalogue.live_courses(conn, provider)]
    written = await run_in_threadpool(_write, courses, provider)
    name = f"zll-{provider or 'region'}-openqcat.xml"
    return StreamingResponse(
        _chunks(written),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _write(courses: list[dict[str, Any]], provider: str | None) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (returned)
    write_openqcat(
        courses,
        out,  # type: ignore[arg-type]
        catalog_id=f"zll-{provider or 'region'}",
        supplier_name=provider or "ZLL Zentrum Lebensbegleitenden Lernens",
        supplier_id=provider,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    out.seek(0)
    return out


def _chunks(written: IO[bytes]) -> Iterator[bytes]:
    try:
        while piece := written.read(_CHUNK):
            yield piece
    finally:
        written.close()


_PAGE_EXAMPLE = {
    "pageSize": 1,
    "pageNumber": 1,
    "hasPreviousPage": False,
    "hasNextPage": True,
    "items": [
        {
            "offeringId": "5b0c3f57-2f7e-5d6a-9d55-0c1f3c7e2a11",
            "primaryCode": {"codeType": "offeringCode", "code": "vhs-region-kassel:K261-204"},
            "offeringType": "course",
            "name": [{"language": "de", "value": "Excel für Einsteiger"}],
            "teachingLanguage": "deu",
            "modeOfDelivery": ["situated"],
            "startDate": "2027-02-03",
            "endDate": "2027-02-24",
            "maxNumberStudents": 12,
        }
    ],
}
_PAGE = {200: {"content": {"application/json": {"example": _PAGE_EXAMPLE}}}}


@router.get("/ooapi/v5/offerings", responses=_PAGE)  # type: ignore[arg-type]
async def ooapi_offerings(
    db: Db, provider: Provider = None, page_number: PageNumber = 1, page_size: PageSize = 10
) -> dict[str, Any]:
    """OOAPI v5 `GET /offerings`: each live course as a course offering, its course expanded."""
    return await _ooapi_page(db, provider, page_number, page_size, ooapi_offering)


@router.get("/ooapi/v5/courses", responses=_PAGE)  # type: ignore[arg-type]
async def ooapi_courses(
    db: Db, provider: Provider = None, page_number: PageNumber = 1, page_size: PageSize = 10
) -> dict[str, Any]:
    """OOAPI v5 `GET /courses`: each live course as an OOAPI course."""
    return await _ooapi_page(db, provider, page_number, page_size, ooapi_course)


async def _ooapi_page(
    db: Database,
    provider: str | None,
    page_number: int,
    page_size: int,
    shape: Callable[[Course], dict[str, Any]],
) -> dict[str, Any]:
    """One OOAPI page of the live catalogue, each course in the shape the endpoint serves."""
    async with db.connection() as conn:
        found, more = await catalogue.page_of(
            conn, provider, page_number=page_number, page_size=page_size
        )
    return ooapi_page(
        [shape(c) for c in found],
        page_number=page_number,
        page_size=page_size,
        has_next_page=more,
    )
