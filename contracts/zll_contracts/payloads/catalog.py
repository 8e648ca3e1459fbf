"""What the catalog tells everyone about courses on `zll.catalog.courses.v1`."""

from __future__ import annotations

from pydantic import AwareDatetime

from zll_contracts.payloads.common import OutboundPayload, Reason
from zll_contracts.payloads.courses import CourseState

__all__ = ["CoursePublished", "CourseWithdrawnFromCatalog"]


class CoursePublished(CourseState, OutboundPayload):
    """`zll.catalog.course-published.v1`: the full course as the catalog stored it."""

    published_at: AwareDatetime


class CourseWithdrawnFromCatalog(CourseState, OutboundPayload):
    """`zll.catalog.course-withdrawn.v1`: the last stored state of a course taken off."""

    reason: Reason
    withdrawn_at: AwareDatetime
