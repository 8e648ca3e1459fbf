"""The enrolment service's HTTP bodies, each with an example to start from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from zll_contracts.payloads.common import CourseId, OpaqueId, Reason

from services.enrolment import domain, store
from zll.platform.pagination import Page

ENROLMENT_EXAMPLE: dict[str, Any] = {
    "enrolment_id": "3f1c2b9e-8a4d-4c1e-9f5a-2d7b6e0c1a42",
    "course_id": "vhs-region-kassel:EXCEL-27",
    "learner_id": "lena",
    "status": "waitlisted",
    "waitlist_position": 2,
    "source": "http",
    "requested_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z",
}


def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Seats(BaseModel):
    model_config = _example({"capacity": 12, "confirmed": 11, "waitlisted": 3, "offered": 1})

    capacity: int
    confirmed: int = Field(description="Seats held (confirmed or completed).")
    waitlisted: int
    offered: int = Field(
        default=0, description="Seats held for a waitlisted learner by an open timed offer."
    )


class EnrolRequest(BaseModel):
    model_config = _example({"course_id": "vhs-region-kassel:EXCEL-27", "learner_id": "lena"})

    course_id: CourseId
    learner_id: OpaqueId


class CancelRequest(BaseModel):
    model_config = _example({"reason": "Ich habe eine Stelle gefunden."})

    reason: Reason | None = None


class DeclineRequest(BaseModel):
    model_config = _example({"reason": "Der Termin passt leider nicht mehr."})

    reason: Reason | None = None


class EnrolmentView(BaseModel):
    model_config = _example(ENROLMENT_EXAMPLE)

    enrolment_id: uuid.UUID
    course_id: str
    learner_id: str
    status: domain.Status
    waitlist_position: int | None = None
    reason_code: str | None = None
    reason: str | None = None
    source: str
    placement_id: str | None = None
    cancelled_by: str | None = None
    certificate_id: str | None = None
    offer_expires_at: datetime | None = Field(
        default=None, description="While offered: the deadline to accept the held seat."
    )
    offer_ended_at: datetime | None = Field(
        default=None, description="When the offer was declined or expired."
    )
    requested_at: datetime
    updated_at: datetime
    recognised_modules: list[str] | None = Field(
        default=None,
        description="Modules recognised from prior learning (the provider's latest decision): "
        "not taken here, listed as recognised on the certificate. Shown by GET only.",
    )
    workload_hours: float | None = Field(
        default=None, description="The hours of the modules still to take. Shown by GET only."
    )
    price_eur: float | None = Field(
        default=None,
        description="What the modules still to take cost: their own prices when the provider "
        "prices every module, else the course's price shared out by workload. GET only.",
    )

    @classmethod
    def of(cls, row: store.EnrolmentRow) -> EnrolmentView:
        # The terms after recognition are not on the row: GET /enrolments/{id} adds them.
        terms = ("recognised_modules", "workload_hours", "price_eur")
        values = {k: getattr(row, k) for k in cls.model_fields if k not in terms}
        return cls(**values)


class EnrolmentPage(Page[EnrolmentView]):
    """Enrolments in arrival order, one page."""
