"""The enrolment service's HTTP API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from services.enrolment import store
from zll.platform.problems import ProblemError

router = APIRouter()


class Seats(BaseModel):
    capacity: int
    confirmed: int
    waitlisted: int


@router.get("/courses/{course_id}/seats", response_model=Seats, tags=["seats"])
async def seats(course_id: Annotated[str, Path(max_length=110)], request: Request) -> Seats:
    """Seats of a course as the ledger knows it (enrolments come with the enrolment issue)."""
    pool: Any = request.app.state.pool
    async with pool.acquire() as conn:
        course = await store.get_course(conn, course_id)
    if course is None:
        raise ProblemError(404, "Course not found", f"The ledger does not know {course_id!r}.")
    return Seats(capacity=course.capacity, confirmed=0, waitlisted=0)
