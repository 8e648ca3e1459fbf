"""Course offerings as partner institutions publish them on `zll.provider.courses.v1`."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from zll_contracts.payloads.common import (
    MAX_LIST,
    CourseId,
    EscoSkillUri,
    InboundPayload,
    LanguageCode,
    LongText,
    ModuleId,
    Municipality,
    OpaqueId,
    Payload,
    PriceEur,
    ProviderId,
    Reason,
    Revision,
    SeatCount,
    Title,
    refuse,
)

__all__ = [
    "Certificate",
    "CourseFormat",
    "CourseState",
    "CourseUpserted",
    "CourseWithdrawn",
    "Location",
    "Module",
    "TargetGroup",
    "WaitlistPromotion",
    "check_course_prefix",
]


class CourseFormat(StrEnum):
    """How a course is held."""

    ONSITE = "onsite"
    ONLINE = "online"
    BLENDED = "blended"


class TargetGroup(StrEnum):
    """The life phases a course is meant for."""

    EARLY_CHILDHOOD = "early-childhood"
    SCHOOL = "school"
    TRANSITION = "transition"
    WORKING_AGE = "working-age"
    SENIOR = "senior"


class Certificate(StrEnum):
    """What a learner receives for passing a module."""

    NONE = "none"
    ATTENDANCE = "attendance"
    MODULE_CERTIFICATE = "module-certificate"
    STATE_RECOGNISED = "state-recognised"


class WaitlistPromotion(StrEnum):
    """What happens to a freed seat while learners wait for one."""

    # The earliest waitlisted learner gets the seat at once (confirmed).
    AUTOMATIC = "automatic"
    # The seat is held for the earliest waitlisted learner, who accepts or declines it within
    # `offer_hours`; on a decline or when the time is up it is offered to the next one.
    OFFER = "offer"


FundingScheme = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Location(Payload):
    """Where an onsite or blended course meets."""

    municipality: Municipality
    postcode: Annotated[str, StringConstraints(min_length=1, max_length=16)] | None = None
    street: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class Module(Payload):
    """One unit of a course that can be passed and certified on its own."""

    module_id: ModuleId
    title: Title
    workload_hours: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
    eqf_level: Annotated[int, Field(ge=1, le=8)]
    skills: Annotated[list[EscoSkillUri], Field(max_length=MAX_LIST)]
    certificate: Certificate
    skills_inferred: bool = Field(
        default=False,
        description="true: the region inferred the skills from the title (an imported export "
        "that names none); false: the provider named them.",
    )


def check_course_prefix(course_id: str, info: ValidationInfo) -> str:
    """A provider may only speak about its own courses: `<provider_id>:<code>`."""
    provider_id = info.data.get("provider_id")
    # A missing provider_id already has its own error; do not blame course_id for it.
    if provider_id is not None and course_id.split(":", 1)[0] != provider_id:
        raise refuse(
            "course_id_prefix",
            "course_id must start with the provider_id '{provider_id}' followed by ':'",
            provider_id=provider_id,
        )
    return course_id


class CourseState(Payload):
    """The full state of one course offering; shared by the partner's and catalog's events."""

    # provider_id comes first so that course_id's validator can compare against it.
    provider_id: ProviderId
    course_id: CourseId
    revision: Revision = Field(
        description="Monotonic per course; an equal or lower revision than stored is ignored."
    )
    title: Title
    description: LongText | None = None
    language: LanguageCode = Field(default="de", description="ISO 639-1 code.")
    format: CourseFormat
    location: Location | None = Field(
        default=None,
        validate_default=True,
        description="Required unless format is online.",
    )
    start_date: date
    end_date: date
    schedule: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Free text, e.g. 'Mo 18:00–20:15'."
    )
    capacity: SeatCount
    price_eur: PriceEur
    funding: Annotated[list[FundingScheme], Field(max_length=50)] = Field(
        description="Funding schemes, e.g. bildungsgutschein; unknown values are kept."
    )
    target_groups: Annotated[list[TargetGroup], Field(max_length=10)]
    modules: Annotated[list[Module], Field(min_length=1, max_length=MAX_LIST)]
    project_id: OpaqueId | None = Field(
        default=None,
        description="The region's joint project this course runs under (cooperative), if any.",
    )
    waitlist_promotion: WaitlistPromotion = Field(
        default=WaitlistPromotion.AUTOMATIC,
        description="automatic: a freed seat goes to the earliest waitlisted learner at once; "
        "offer: it is held for them for offer_hours, to accept or decline.",
    )
    offer_hours: Annotated[int, Field(ge=1, le=720)] = Field(
        default=48,
        description="How long a held seat waits for an answer (waitlist_promotion offer); "
        "never beyond the course's start.",
    )

    _course_prefix = field_validator("course_id")(check_course_prefix)

    @field_validator("location")
    @classmethod
    def _location_unless_online(
        cls, location: Location | None, info: ValidationInfo
    ) -> Location | None:
        course_format = info.data.get("format")
        if location is None and course_format is not None and course_format != CourseFormat.ONLINE:
            raise refuse(
                "location_required",
                "location is required unless format is online (format is '{format}')",
                format=str(course_format),
            )
        return location

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end_date: date, info: ValidationInfo) -> date:
        start_date = info.data.get("start_date")
        if start_date is not None and end_date < start_date:
            raise refuse(
                "end_before_start",
                "end_date must not be before start_date ({start_date})",
                start_date=start_date.isoformat(),
            )
        return end_date

    @field_validator("modules")
    @classmethod
    def _unique_module_ids(cls, modules: list[Module]) -> list[Module]:
        seen: set[str] = set()
        for module in modules:
            if module.module_id in seen:
                raise refuse(
                    "duplicate_module_id",
                    "module_id '{module_id}' appears more than once",
                    module_id=module.module_id,
                )
            seen.add(module.module_id)
        return modules


class CourseUpserted(CourseState, InboundPayload):
    """`zll.course.upserted.v1`: the full current state of one course offering."""


class CourseWithdrawn(InboundPayload):
    """`zll.course.withdrawn.v1`: the provider takes a course off the catalog."""

    provider_id: ProviderId
    course_id: CourseId
    revision: Revision
    reason: Reason

    _course_prefix = field_validator("course_id")(check_course_prefix)
