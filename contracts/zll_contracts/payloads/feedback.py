"""Refusals the region sends back to a partner on `zll.provider.feedback.v1`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from zll_contracts.field_texts import printable
from zll_contracts.payloads.common import OutboundPayload, Payload, ProviderId

__all__ = [
    "FeedbackRejected",
    "FieldError",
    "ImportCounts",
    "ImportRefusedRecord",
    "ImportReported",
    "RefusedSubject",
]

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


class ImportCounts(Payload):
    """What one import did to the provider's courses."""

    new: Annotated[int, Field(ge=0)]
    changed: Annotated[int, Field(ge=0)]
    unchanged: Annotated[int, Field(ge=0)]
    withdrawn: Annotated[int, Field(ge=0)]
    refused: Annotated[int, Field(ge=0)]


class ImportRefusedRecord(Payload):
    """One record of an import that was not taken: where it is in the file and why."""

    export_id: Annotated[str, StringConstraints(max_length=256)] | None = None
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    line: Annotated[int, Field(ge=1)] | None = None
    message_de: HumaneText
    message_en: HumaneText


class ImportReported(OutboundPayload):
    """`zll.feedback.import-reported.v1`: intake took (or refused) an export of the provider.

    `outcome` `taken`: `counts` says what changed and `refused` names up to 50 records that
    were not taken (all of them are in the report at intake's `GET /imports/{import_id}`).
    `outcome` `refused`: the document as a whole was not taken (a feed's export that could not
    be read, or one that would have withdrawn most courses); `reason_de`/`reason_en` say why
    and nothing was published.
    """

    provider_id: ProviderId
    import_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    feed_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    format: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    outcome: Literal["taken", "refused"]
    counts: ImportCounts | None = None
    refused: Annotated[list[ImportRefusedRecord], Field(max_length=50)] = Field(
        default_factory=list
    )
    reason_de: HumaneText | None = None
    reason_en: HumaneText | None = None
