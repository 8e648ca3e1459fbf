"""Intake's copy of the region's catalogue (from zll.catalog.courses.v1), for the exports.

A newer revision replaces an older one; a withdrawal of the same revision takes the course
off; an older or repeated revision changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from zll_contracts.payloads import CoursePublished, CourseWithdrawnFromCatalog

from zll.platform.consumer import Batched, Message, Refusals, on
from zll.platform.db import Connection
from zll.platform.unit_of_work import UnitOfWork

_LEARN = """
    INSERT INTO catalogue (course_id, provider_id, revision, live, course)
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::boolean[], $5::jsonb[])
    ON CONFLICT (course_id) DO UPDATE SET
        provider_id = EXCLUDED.provider_id, revision = EXCLUDED.revision,
        live = EXCLUDED.live, course = EXCLUDED.course, updated_at = now()
    WHERE catalogue.revision < EXCLUDED.revision
       OR (catalogue.revision = EXCLUDED.revision AND catalogue.live AND NOT EXCLUDED.live)
"""
_NOT_COURSE = frozenset({"published_at", "withdrawn_at", "reason"})


async def learn(
    uow: UnitOfWork,
    messages: Sequence[Message[CoursePublished]] | Sequence[Message[CourseWithdrawnFromCatalog]],
) -> Refusals[Any]:
    """Remember each course as the catalog stored it; the catalog's topic is trusted.

    One statement for the run: of several states of one course in it, the one the rule
    above keeps (a newer revision; at the same revision a withdrawal; else the first).
    """
    latest: dict[str, tuple[str, str, int, bool, str]] = {}
    for message in messages:
        course = message.payload
        live = isinstance(course, CoursePublished)
        seen = latest.get(course.course_id)
        if seen is not None and (course.revision, not live) <= (seen[2], not seen[3]):
            continue
        state = course.model_dump(mode="json", exclude_none=True, exclude=set(_NOT_COURSE))
        latest[course.course_id] = (
            course.course_id, course.provider_id, course.revision, live, json.dumps(state)
        )  # fmt: skip
    rows = list(latest.values())
    await uow.conn.execute(_LEARN, *(list(column) for column in zip(*rows, strict=True)))
    return []


HANDLERS = (
    on(CoursePublished, Batched(learn)),
    on(CourseWithdrawnFromCatalog, Batched(learn)),
)


async def live_courses(
    conn: Connection, provider_id: str | None, *, chunk: int = 500
) -> AsyncIterator[dict[str, Any]]:
    """The live courses of one provider or the region, by course id, a chunk at a time."""
    after = ""
    while True:
        rows = await conn.fetch(
            "SELECT course_id, course::text AS course FROM catalogue WHERE live"
            " AND ($1::text IS NULL OR provider_id = $1) AND course_id > $2"
            " ORDER BY course_id LIMIT $3",
            provider_id,
            after,
            chunk,
        )
        for row in rows:
            yield json.loads(row["course"])
        if len(rows) < chunk:
            return
        after = rows[-1]["course_id"]


async def page_of(
    conn: Connection, provider_id: str | None, *, page_number: int, page_size: int
) -> tuple[list[dict[str, Any]], bool]:
    """One OOAPI page of live courses (numbered from 1) and whether another follows."""
    rows = await conn.fetch(
        "SELECT course::text AS course FROM catalogue WHERE live"
        " AND ($1::text IS NULL OR provider_id = $1)"
        " ORDER BY course_id OFFSET $2 LIMIT $3",
        provider_id,
        (page_number - 1) * page_size,
        page_size + 1,
    )
    courses = [json.loads(r["course"]) for r in rows]
    return courses[:page_size], len(courses) > page_size
