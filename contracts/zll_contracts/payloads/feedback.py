"""Refusals the region sends back to a partner on `zll.provider.feedback.v1`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from zll_contracts.field_texts import printable
from zll_contracts.payloads.common import OutboundPayload, Payload, ProviderId

__all__ = ["FeedbackRejected", "FieldError", "RefusedSubject"]

HumaneText = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class FieldError(Payload):
    """One broken rule: the dotted path of the field (`modules.0.eqf_level`) and why.

    `field` and `message` are for programs and developers; `message_de` and `message_en`
    say the same to a person at the provider's desk, with the field's human name, modules
    counted from 1 and what is allowed ("Modul 1: Das EQF-Niveau muss zwischen 1 und 8
    liegen; angegeben war 9.").
    """

    field: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    message_de: HumaneText | None = Field(default=None, description="For people, in German.")
    message_en: HumaneText | None = Field(default=None, description="For people, in English.")


class RefusedSubject(Payload):
    """What the refused event was about, as far as it said: the course's id and title."""

    course_id: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> RefusedSubject | None:
        """The course id and title a refused event's `data` carries, as far as they are text."""
        found = {
            name: text[:limit]
            for name, limit in (("course_id", 256), ("title", 200))
            if isinstance(value := data.get(name), str) and (text := printable(value))
        }
        return cls(**found) if found else None


class FeedbackRejected(OutboundPayload):
    """`zll.feedback.rejected.v1`: a partner's event had no effect, and this is why."""

    provider_id: ProviderId
    original_ce_id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    topic: Annotated[str, StringConstraints(min_length=1, max_length=249)]
    errors: Annotated[list[FieldError], Field(min_length=1, max_length=100)]
    subject: RefusedSubject | None = Field(
        default=None,
        description="The course the refused event named (id and title), when it named one.",
    )
