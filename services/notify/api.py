"""Notify's HTTP API: inboxes, preferences, partner webhooks and the delivery log."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AnyHttpUrl, BaseModel, Field, field_validator

from services.notify import store
from services.notify import store_deliveries as queue
from services.notify.domain import CATEGORY_NAMES, CHANNELS, KINDS, Recipient
from zll.platform.auth import Principal, current_principal
from zll.platform.problems import ProblemError

router = APIRouter()
LearnerId = Annotated[str, Path(pattern=r"^[^\s\x00-\x1f\x7f]{1,128}$")]
PartnerId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]
# Row ids are PostgreSQL bigints: anything larger is simply not found, never a 500.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Query(ge=1, le=500)]
Before = Annotated[int | None, Query(description="Only ids below this (the next page).")]
Caller = Annotated[Principal, Depends(current_principal)]

# Who may read (and, in the second set, change) whose data, besides the owner.
_STAFF_READ = {"learner": {"counsellor", "operator"}, "partner": {"operator"}}
_OWNER_ROLES = {"learner": {"learner"}, "partner": {"provider", "employer"}}


def _admit(caller: Principal, who: Recipient, *, staff: bool) -> None:
    """Owners always; staff (counsellors for learners, operators) only where `staff` is true."""
    if caller.role in _OWNER_ROLES[who.kind] and caller.sub == who.id:
        return
    if staff and caller.role in _STAFF_READ[who.kind]:
        return
    raise ProblemError(403, "Forbidden", f"This is {who.kind} {who.id}'s; your token is not.")


def _pool(request: Request) -> Any:
    return request.app.state.pool


class NotificationOut(BaseModel):
    id: int
    kind: str
    category: str
    locale: str
    subject: str
    text: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class DeliveryOut(BaseModel):
    id: int
    notification_id: int
    kind: str
    channel: Literal["email", "webhook"]
    target: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class Preferences(BaseModel):
    channels_off: list[Literal["inbox", "email", "webhook"]] = Field(
        default_factory=list, description=f"Channels to stay silent on: {', '.join(CHANNELS)}."
    )
    categories_off: list[str] = Field(
        default_factory=list, description=f"Categories to skip: {', '.join(CATEGORY_NAMES)}."
    )
    email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$", examples=["lena@example.org"]
    )
    locale: Literal["de", "en"] | None = Field(default=None, description="Language of texts.")

    @field_validator("categories_off")
    @classmethod
    def _known_categories(cls, categories: list[str]) -> list[str]:
        unknown = sorted(set(categories) - set(CATEGORY_NAMES))
        if unknown:
            raise ValueError(f"unknown categories {unknown}; choose from {list(CATEGORY_NAMES)}")
        return categories


class WebhookIn(BaseModel):
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
        unknown = sorted(set(events) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kinds {unknown}; choose from {list(KINDS)}")
        return events


class WebhookOut(BaseModel):
    url: str
    events: list[str]
    updated_at: datetime


async def _list(request: Request, caller: Principal, who: Recipient, **page: Any) -> Any:
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        return await store.inbox(conn, who, **page)


async def _mark_read(request: Request, caller: Principal, who: Recipient, nid: int) -> Any:
    _admit(caller, who, staff=False)
    async with _pool(request).acquire() as conn:
        found = await store.mark_read(conn, who, nid)
    if found is None:
        raise ProblemError(404, "Not found", f"{who.kind} {who.id} has no notification {nid}")
    return found


async def _get_preferences(request: Request, caller: Principal, who: Recipient) -> Any:
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        return await store.get_preferences(conn, who)


async def _put_preferences(
    request: Request, caller: Principal, who: Recipient, preferences: Preferences
) -> Preferences:
    _admit(caller, who, staff=False)
    async with _pool(request).acquire() as conn:
        await store.put_preferences(conn, who, **preferences.model_dump())
    return preferences


@router.get("/learners/{id}/notifications", response_model=list[NotificationOut], tags=["learners"])
async def learner_notifications(
    id: LearnerId, request: Request, caller: Caller, limit: Limit = 50, before: Before = None,
    unread: bool = False,
) -> Any:  # fmt: skip
    """The learner's inbox, newest first: the learner, their counsellor or an operator."""
    page = {"limit": limit, "before": before, "unread": unread}
    return await _list(request, caller, Recipient("learner", id), **page)


@router.post(
    "/learners/{id}/notifications/{nid}/read", response_model=NotificationOut, tags=["learners"]
)
async def learner_read(id: LearnerId, nid: RowId, request: Request, caller: Caller) -> Any:
    """Mark one notification as read (only the learner can)."""
    return await _mark_read(request, caller, Recipient("learner", id), nid)


@router.get("/learners/{id}/preferences", response_model=Preferences, tags=["learners"])
async def learner_preferences(id: LearnerId, request: Request, caller: Caller) -> Any:
    return await _get_preferences(request, caller, Recipient("learner", id))


@router.put("/learners/{id}/preferences", response_model=Preferences, tags=["learners"])
async def put_learner_preferences(
    id: LearnerId, preferences: Preferences, request: Request, caller: Caller
) -> Preferences:
    """Turn channels or categories off; set the e-mail address and language texts use."""
    return await _put_preferences(request, caller, Recipient("learner", id), preferences)


@router.get("/partners/{id}/notifications", response_model=list[NotificationOut], tags=["partners"])
async def partner_notifications(
    id: PartnerId, request: Request, caller: Caller, limit: Limit = 50, before: Before = None,
    unread: bool = False,
) -> Any:  # fmt: skip
    """The partner's inbox, newest first: the provider or employer itself, or an operator."""
    page = {"limit": limit, "before": before, "unread": unread}
    return await _list(request, caller, Recipient("partner", id), **page)


@router.post(
    "/partners/{id}/notifications/{nid}/read", response_model=NotificationOut, tags=["partners"]
)
async def partner_read(id: PartnerId, nid: RowId, request: Request, caller: Caller) -> Any:
    return await _mark_read(request, caller, Recipient("partner", id), nid)


@router.get("/partners/{id}/preferences", response_model=Preferences, tags=["partners"])
async def partner_preferences(id: PartnerId, request: Request, caller: Caller) -> Any:
    return await _get_preferences(request, caller, Recipient("partner", id))


@router.put("/partners/{id}/preferences", response_model=Preferences, tags=["partners"])
async def put_partner_preferences(
    id: PartnerId, preferences: Preferences, request: Request, caller: Caller
) -> Preferences:
    """Turn channels or categories off; an e-mail address makes partner mail possible."""
    return await _put_preferences(request, caller, Recipient("partner", id), preferences)


@router.put("/partners/{id}/webhook", response_model=WebhookOut, tags=["partners"])
async def put_webhook(
    id: PartnerId, webhook: WebhookIn, request: Request, caller: Caller
) -> dict[str, Any]:
    """Register (or replace) the partner's webhook; the secret is never shown again."""
    who = Recipient("partner", id)
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        await store.put_webhook(conn, id, str(webhook.url), webhook.secret, webhook.events)
        found = await store.get_webhook(conn, id)
    assert found is not None
    return found


@router.get("/partners/{id}/webhook", response_model=WebhookOut, tags=["partners"])
async def get_webhook(id: PartnerId, request: Request, caller: Caller) -> dict[str, Any]:
    _admit(caller, Recipient("partner", id), staff=True)
    async with _pool(request).acquire() as conn:
        found = await store.get_webhook(conn, id)
    if found is None:
        raise ProblemError(404, "Not found", f"partner {id} has no webhook")
    return found


@router.get("/partners/{id}/deliveries", response_model=list[DeliveryOut], tags=["partners"])
async def list_deliveries(
    id: PartnerId,
    request: Request,
    caller: Caller,
    status: Literal["pending", "sent", "failed"] | None = None,
    limit: Limit = 50,
    before: Before = None,
) -> list[dict[str, Any]]:
    """The delivery log: every e-mail and webhook attempt for this partner, newest first."""
    who = Recipient("partner", id)
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        return await queue.deliveries_of(conn, who, status=status, limit=limit, before=before)


@router.post(
    "/partners/{id}/deliveries/{did}/replay", response_model=DeliveryOut, tags=["partners"]
)
async def replay_delivery(
    id: PartnerId, did: RowId, request: Request, caller: Caller
) -> dict[str, Any]:
    """Send a delivery again now, with a fresh retry budget and the same webhook-id."""
    who = Recipient("partner", id)
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        found = await queue.replay(conn, who, did)
    if found is None:
        raise ProblemError(404, "Not found", f"partner {id} has no delivery {did}")
    return found


@router.delete("/partners/{id}/webhook", status_code=204, tags=["partners"])
async def delete_webhook(id: PartnerId, request: Request, caller: Caller) -> None:
    """Stop webhooks; deliveries still pending for it are parked as failed when due."""
    _admit(caller, Recipient("partner", id), staff=True)
    async with _pool(request).acquire() as conn:
        if not await store.delete_webhook(conn, id):
            raise ProblemError(404, "Not found", f"partner {id} has no webhook")


@router.get("/learners/{id}/deliveries", response_model=list[DeliveryOut], tags=["learners"])
async def learner_deliveries(
    id: LearnerId,
    request: Request,
    caller: Caller,
    status: Literal["pending", "sent", "failed"] | None = None,
    limit: Limit = 50,
    before: Before = None,
) -> list[dict[str, Any]]:
    """The e-mails sent to a learner, newest first: the learner, a counsellor, an operator."""
    who = Recipient("learner", id)
    _admit(caller, who, staff=True)
    async with _pool(request).acquire() as conn:
        return await queue.deliveries_of(conn, who, status=status, limit=limit, before=before)


@router.post(
    "/learners/{id}/deliveries/{did}/replay", response_model=DeliveryOut, tags=["learners"]
)
async def replay_learner_delivery(
    id: LearnerId, did: RowId, request: Request, caller: Caller
) -> dict[str, Any]:
    """Send a parked e-mail again (operators, e.g. after the mail relay was fixed)."""
    if caller.role != "operator":
        raise ProblemError(403, "Forbidden", "This needs the role: operator.")
    async with _pool(request).acquire() as conn:
        found = await queue.replay(conn, Recipient("learner", id), did)
    if found is None:
        raise ProblemError(404, "Not found", f"learner {id} has no delivery {did}")
    return found


class ParkedDeliveryOut(DeliveryOut):
    recipient_kind: str
    recipient_id: str


@router.get("/deliveries/failed", response_model=list[ParkedDeliveryOut], tags=["operations"])
async def failed_deliveries(
    request: Request, caller: Caller, limit: Limit = 100
) -> list[dict[str, Any]]:
    """Deliveries parked after their last retry, for everybody (operators only)."""
    if caller.role != "operator":
        raise ProblemError(403, "Forbidden", "This needs the role: operator.")
    async with _pool(request).acquire() as conn:
        return await queue.failed_deliveries(conn, limit)
