"""Constrained types and base classes shared by every payload of the contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_LIST",
    "CourseId",
    "EscoOccupationUri",
    "EscoSkillUri",
    "InboundPayload",
    "LanguageCode",
    "LongText",
    "ModuleId",
    "Municipality",
    "OpaqueId",
    "OutboundPayload",
    "Payload",
    "PriceEur",
    "ProviderId",
    "Reason",
    "Revision",
    "SeatCount",
    "Title",
    "refuse",
]

# Every string and list is bounded: partners are outside our trust boundary and a 1 MB
# string must be refused at the door, not stored, indexed and echoed in feedback.
MAX_LIST = 200

PROVIDER_ID_PATTERN = r"^[a-z0-9-]{2,40}$"
CODE_PATTERN = r"[A-Za-z0-9._-]{1,64}"

ProviderId = Annotated[
    str, StringConstraints(min_length=2, max_length=40, pattern=PROVIDER_ID_PATTERN)
]
# The prefix of a course id must also equal the payload's provider_id; that needs the whole
# payload and is checked by `check_course_prefix` in courses.py.
CourseId = Annotated[
    str,
    StringConstraints(min_length=4, max_length=105, pattern=rf"^[a-z0-9-]{{2,40}}:{CODE_PATTERN}$"),
]
ModuleId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=rf"^{CODE_PATTERN}$")
]
# Ids the contract leaves opaque (learners, opportunities, reports, placements): no
# whitespace and no control characters, so they survive logs, URLs and Kafka keys.
OpaqueId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\s\x00-\x1f\x7f]+$")
]
EscoSkillUri = Annotated[
    str,
    StringConstraints(
        max_length=256, pattern=r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._-]+$"
    ),
]
EscoOccupationUri = Annotated[
    str,
    StringConstraints(
        max_length=256, pattern=r"^http://data\.europa\.eu/esco/occupation/[A-Za-z0-9._-]+$"
    ),
]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=2, pattern=r"^[a-z]{2}$")]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
Reason = Annotated[str, StringConstraints(max_length=2_000)]
Municipality = Annotated[str, StringConstraints(min_length=1, max_length=120)]
# Postgres BIGINT: a revision may be a millisecond timestamp, but never overflow storage.
Revision = Annotated[int, Field(ge=1, le=9_223_372_036_854_775_807)]
SeatCount = Annotated[int, Field(ge=0, le=1_000_000)]


def _decimal_to_number(value: Decimal) -> float:
    # Two decimal places and at most nine digits survive the trip through a float exactly.
    return float(value)


# Accepts a JSON number or a numeric string; emits a JSON number. Whole cents only: a
# sub-cent price is more likely a partner's bug than their intent, so it is refused.
PriceEur = Annotated[
    Decimal,
    Field(ge=0, le=1_000_000, max_digits=9, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(
        _decimal_to_number,
        return_type=Annotated[float, Field(ge=0, le=1_000_000)],
        when_used="json",
    ),
]


class Payload(BaseModel):
    """Base of every `data` object: fields added in later versions are ignored, not refused.

    The contract only ever grows by optional fields, so an older reader must let them pass.
    """

    model_config = ConfigDict(extra="ignore")


class InboundPayload(Payload):
    """What partners write on `zll.provider.*`."""


class OutboundPayload(Payload):
    """What the region's services write."""


def refuse(error_type: str, message: str, **context: Any) -> PydanticCustomError:
    """A validation error whose message is shown to the partner verbatim (no prefix)."""
    return PydanticCustomError(error_type, message, context or None)
