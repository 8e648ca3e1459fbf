"""The catalogue's rules: who may publish a course, which revision wins, what gets published."""

from __future__ import annotations

from datetime import datetime

from zll_contracts.payloads import CoursePublished, CourseUpserted, CourseWithdrawn

from zll.platform.refusals import Problem, Refused


def check_sender(sender: str | None, provider_id: str) -> None:
    """A provider publishes only its own courses: `ce_source` must name the course's provider."""
    if sender != provider_id:
        raise Refused(
            [Problem("provider_id", f"sent by /providers/{sender}, so it must be {sender!r}")]
        )


def supersedes(incoming_revision: int, stored_revision: int | None) -> bool:
    """An equal or lower revision than the stored one has no effect (and is no error)."""
    return stored_revision is None or incoming_revision > stored_revision


def publish(course: CourseUpserted, at: datetime) -> CoursePublished:
    return CoursePublished(**course.model_dump(), published_at=at)


def check_withdrawal(withdrawal: CourseWithdrawn, stored_provider: str | None) -> None:
    if stored_provider is None:
        raise Refused([Problem("course_id", f"unknown course {withdrawal.course_id!r}")])
