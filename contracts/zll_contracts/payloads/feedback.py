"""Refusals the region sends back to a partner on `zll.provider.feedback.v1`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from zll_contracts.payloads.common import OutboundPayload, Payload, ProviderId

__all__ = ["FeedbackRejected", "FieldError"]


class FieldError(Payload):
    """One broken rule: the dotted path of the field (`modules.0.eqf_level`) and why."""

    field: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    message: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class FeedbackRejected(OutboundPayload):
    """`zll.feedback.rejected.v1`: a partner's event had no effect, and this is why."""

    provider_id: ProviderId
    original_ce_id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    topic: Annotated[str, StringConstraints(min_length=1, max_length=249)]
    errors: Annotated[list[FieldError], Field(min_length=1, max_length=100)]
