"""Notify's HTTP bodies, each with an example to start from."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from services.notify.domain import CATEGORY_NAMES, CHANNELS, KINDS
from zll.platform.pagination import Page

NOTIFICATION_EXAMPLE: dict[str, Any] = {
    "id": 4711,
    "kind": "enrolment.confirmed",
    "category": "enrolment",
    "locale": "de",
    "subject": "Anmeldung bestätigt: Tabellenkalkulation mit Excel",
    "text": "Guten Tag,\n\nIhr Platz im Kurs „Tabellenkalkulation mit Excel“ ist bestätigt.\n",
    "data": {
        "course_id": "vhs-region-kassel:EXCEL-27",
        "course_title": "Tabellenkalkulation mit Excel",
        "enrolment_id": "3f1c2b9e-8a4d-4c1e-9f5a-2d7b6e0c1a42",
    },
    "created_at": "2026-11-23T10:00:01Z",
    "read_at": None,
}
DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": 815,
    "notification_id": 4711,
    "kind": "enrolment.confirmed",
    "channel": "email",
    "target": "lena@example.org",
    "status": "sent",
    "attempts": 1,
    "next_attempt_at": "2026-11-23T10:00:31Z",
    "last_error": None,
    "created_at": "2026-11-23T10:00:01Z",
    "sent_at": "2026-11-23T10:00:02Z",
}


# Nullable response fields default to None: FastAPI drops nulls from the OpenAPI document, examples
# included, so an example can only show such a field absent.
def _example(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class NotificationOut(BaseModel):
    model_config = _example(NOTIFICATION_EXAMPLE)

    id: int
    kind: str
    category: str
    locale: Literal["de", "en"] = Field(
        description="Language of `subject` and `text`: the request's Accept-Language."
    )
    subject: str
    text: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None = None


class NotificationPage(Page[NotificationOut]):
    """An inbox, newest first, one page."""


class DeliveryOut(BaseModel):
    model_config = _example(DELIVERY_EXAMPLE)

    id: int
    notification_id: int
    kind: str
    channel: Literal["email", "webhook"]
    target: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class DeliveryPage(Page[DeliveryOut]):
    """A delivery log, newest first, one page."""


class ParkedDeliveryOut(DeliveryOut):
    model_config = _example(
        DELIVERY_EXAMPLE
        | {
            "status": "failed",
            "attempts": 8,
            "sent_at": None,
            "last_error": "SMTP 550 mailbox unavailable",
            "recipient_kind": "learner",
            "recipient_id": "lena",
        }
    )

    recipient_kind: str
    recipient_id: str


class ParkedDeliveryPage(Page[ParkedDeliveryOut]):
    """Parked deliveries of everybody, newest first, one page."""


class Preferences(BaseModel):
    model_config = _example(
        {
            "channels_off": ["webhook"],
            "categories_off": ["demand"],
            "email": "lena@example.org",
            "locale": "de",
        }
    )

    channels_off: list[Literal["inbox", "email", "webhook"]] = Field(
        default_factory=list, description=f"Channels to stay silent on: {', '.join(CHANNELS)}."
    )
    categories_off: list[str] = Field(
        default_factory=list, description=f"Categories to skip: {', '.join(CATEGORY_NAMES)}."
    )
    email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$", examples=["lena@example.org"]
    )
    locale: Literal["de", "en"] | None = Field(
        default=None, description="Language of e-mails and webhooks."
    )

    @field_validator("categories_off")
    @classmethod
    def _known_categories(cls, categories: list[str]) -> list[str]:
        return _only_known(categories, CATEGORY_NAMES, "categories")


class WebhookIn(BaseModel):
    model_config = _example(
        {
            "url": "https://partner.example/zll-hooks",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "events": ["enrolment.new", "feedback.rejected"],
        }
    )

    url: AnyHttpUrl = Field(examples=["https://partner.example/zll-hooks"])
    secret: str = Field(
        description="Standard Webhooks secret: `whsec_` + base64 of 24–64 random bytes.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )
    events: list[str] = Field(
        default_factory=list,
        description=f"Notification kinds to send; empty means all: {', '.join(KINDS)}.",
    )

    @field_validator("secret")
    @classmethod
    def _standard_secret(cls, secret: str) -> str:
        raw = secret.removeprefix("whsec_")
        try:
            key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("must be whsec_ followed by base64") from error
        if not 24 <= len(key) <= 64:
            raise ValueError(f"must encode 24–64 bytes, not {len(key)}")
        return secret

    @field_validator("events")
    @classmethod
    def _known_kinds(cls, events: list[str]) -> list[str]:
        return _only_known(events, KINDS, "kinds")


class WebhookOut(BaseModel):
    model_config = _example(
        {
            "url": "https://partner.example/zll-hooks",
            "events": ["enrolment.new", "feedback.rejected"],
            "updated_at": "2026-11-23T09:00:00Z",
        }
    )

    url: str
    events: list[str]
    updated_at: datetime


def _only_known(values: list[str], known: tuple[str, ...], what: str) -> list[str]:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; choose from {list(known)}")
    return values
