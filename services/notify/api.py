"""Notify's HTTP API: inboxes, preferences, partner webhooks and the delivery log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from services.notify import store, texts
from services.notify import store_deliveries as queue
from services.notify.access import Caller, Lang, LearnerId, PartnerId, admit, named
from services.notify.domain import Recipient
from services.notify.messages import MESSAGES
from services.notify.schemas import (
    DeliveryOut,
    DeliveryPage,
    NotificationOut,
    NotificationPage,
    ParkedDeliveryPage,
    Preferences,
    WebhookIn,
    WebhookOut,
)
from zll.platform.auth import Principal
from zll.platform.database import Database, Db
from zll.platform.i18n import Language
from zll.platform.pagination import PageRequest, pages
from zll.platform.problems import ProblemError

router = APIRouter()
# Row ids are PostgreSQL bigints: anything larger is simply not found, never a 500.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Pages = Annotated[PageRequest, Depends(pages(default=50, maximum=500))]
# Before cursors, lists paged with ?before=<id>; still understood, documented as deprecated.
Before = Annotated[
    int | None,
    Query(ge=1, le=2**63 - 1, deprecated=True, description="Use `cursor`: ids below this."),
]


def _in(language: Language, response: Response) -> Language:
    """Say which language the answer's texts are in; caches must key on Accept-Language."""
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language"
    return language


def _after(page: PageRequest, before: int | None) -> int | None:
    """The id a page starts below: the cursor's, or the deprecated `before`."""
    after = page.after(int)
    return after[0] if after else before


async def _list(
    db: Database,
    caller: Principal,
    who: Recipient,
    page: PageRequest,
    before: int | None,
    unread: bool,
    language: Language,
) -> NotificationPage:
    admit(caller, who, staff=True)
    async with db.connection() as conn:
        rows = await store.inbox(
            conn, who, limit=page.limit + 1, before=_after(page, before), unread=unread
        )
    found, next_cursor = page.cut(rows, key=lambda row: (row["id"],))
    items = [NotificationOut(**texts.localized(row, language)) for row in found]
    return NotificationPage(items=items, next_cursor=next_cursor)


async def _mark_read(
    db: Database, caller: Principal, who: Recipient, nid: int, language: Language
) -> Any:
    admit(caller, who, staff=False)
    async with db.connection() as conn:
        found = await store.mark_read(conn, who, nid)
    if found is None:
        raise ProblemError(
            404, MESSAGES("not-found"), MESSAGES("notification-not-found", who=named(who), id=nid)
        )
    return texts.localized(found, language)


async def _get_preferences(db: Database, caller: Principal, who: Recipient) -> Any:
    admit(caller, who, staff=True)
    async with db.connection() as conn:
        return await store.get_preferences(conn, who)


async def _put_preferences(
    db: Database, caller: Principal, who: Recipient, preferences: Preferences
) -> Preferences:
    admit(caller, who, staff=False)
    async with db.connection() as conn:
        await store.put_preferences(conn, who, **preferences.model_dump())
    return preferences


@router.get("/learners/{id}/notifications", response_model=NotificationPage, tags=["learners"])
async def learner_notifications(
    id: LearnerId, db: Db, response: Response, caller: Caller, page: Pages,
    language: Lang, unread: bool = False, before: Before = None,
) -> NotificationPage:  # fmt: skip
    """The learner's inbox, newest first: the learner, their counsellor or an operator.
    Subjects and texts in the language of Accept-Language."""
    who = Recipient("learner", id)
    return await _list(db, caller, who, page, before, unread, _in(language, response))


@router.post(
    "/learners/{id}/notifications/{nid}/read", response_model=NotificationOut, tags=["learners"]
)
async def learner_read(
    id: LearnerId, nid: RowId, db: Db, response: Response, caller: Caller,
    language: Lang,
) -> Any:  # fmt: skip
    """Mark one notification as read (only the learner can)."""
    return await _mark_read(db, caller, Recipient("learner", id), nid, _in(language, response))


@router.get("/learners/{id}/preferences", response_model=Preferences, tags=["learners"])
async def learner_preferences(id: LearnerId, db: Db, caller: Caller) -> Any:
    return await _get_preferences(db, caller, Recipient("learner", id))


@router.put("/learners/{id}/preferences", response_model=Preferences, tags=["learners"])
async def put_learner_preferences(
    id: LearnerId, preferences: Preferences, db: Db, caller: Caller
) -> Preferences:
    """Turn channels or categories off; set the e-mail address and language texts use."""
    return await _put_preferences(db, caller, Recipient("learner", id), preferences)


@router.get("/partners/{id}/notifications", response_model=NotificationPage, tags=["partners"])
async def partner_notifications(
    id: PartnerId, db: Db, response: Response, caller: Caller, page: Pages,
    language: Lang, unread: bool = False, before: Before = None,
) -> NotificationPage:  # fmt: skip
    """The partner's inbox, newest first: the provider or employer itself, or an operator.
    Subjects and texts in the language of Accept-Language."""
    who = Recipient("partner", id)
    return await _list(db, caller, who, page, before, unread, _in(language, response))


@router.post(
    "/partners/{id}/notifications/{nid}/read", response_model=NotificationOut, tags=["partners"]
)
async def partner_read(
    id: PartnerId, nid: RowId, db: Db, response: Response, caller: Caller,
    language: Lang,
) -> Any:  # fmt: skip
    return await _mark_read(db, caller, Recipient("partner", id), nid, _in(language, response))


@router.get("/partners/{id}/preferences", response_model=Preferences, tags=["partners"])
async def partner_preferences(id: PartnerId, db: Db, caller: Caller) -> Any:
    return await _get_preferences(db, caller, Recipient("partner", id))


@router.put("/partners/{id}/preferences", response_model=Preferences, tags=["partners"])
async def put_partner_preferences(
    id: PartnerId, preferences: Preferences, db: Db, caller: Caller
) -> Preferences:
    """Turn channels or categories off; an e-mail address makes partner mail possible."""
    return await _put_preferences(db, caller, Recipient("partner", id), preferences)


@router.put("/partners/{id}/webhook", response_model=WebhookOut, tags=["partners"])
async def put_webhook(db: Db, id: PartnerId, webhook: WebhookIn, caller: Caller) -> dict[str, Any]:
    """Register (or replace) the partner's webhook; the secret is never shown again."""
    who = Recipient("partner", id)
    admit(caller, who, staff=True)
    async with db.connection() as conn:
        await store.put_webhook(conn, id, str(webhook.url), webhook.secret, webhook.events)
        found = await store.get_webhook(conn, id)
    assert found is not None
    return found


@router.get("/partners/{id}/webhook", response_model=WebhookOut, tags=["partners"])
async def get_webhook(db: Db, id: PartnerId, caller: Caller) -> dict[str, Any]:
    admit(caller, Recipient("partner", id), staff=True)
    async with db.connection() as conn:
        found = await store.get_webhook(conn, id)
    if found is None:
        raise _no_webhook(id)
    return found


def _no_webhook(partner_id: str) -> ProblemError:
    return ProblemError(404, MESSAGES("not-found"), MESSAGES("webhook-not-found", id=partner_id))


def _no_delivery(who: Recipient, delivery_id: int) -> ProblemError:
    return ProblemError(
        404, MESSAGES("not-found"), MESSAGES("delivery-not-found", who=named(who), id=delivery_id)
    )


def _operators_only(caller: Principal) -> None:
    if caller.role != "operator":
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("forbidden.operator"))


Status = Literal["pending", "sent", "failed"]


async def _deliveries(
    db: Database, who: Recipient, status: Status | None, page: PageRequest, before: int | None
) -> DeliveryPage:
    async with db.connection() as conn:
        rows = await queue.deliveries_of(
            conn, who, status=status, limit=page.limit + 1, before=_after(page, before)
        )
    found, next_cursor = page.cut(rows, key=lambda row: (row["id"],))
    return DeliveryPage(items=[DeliveryOut(**row) for row in found], next_cursor=next_cursor)


@router.get("/partners/{id}/deliveries", response_model=DeliveryPage, tags=["partners"])
async def list_deliveries(
    id: PartnerId,
    db: Db,
    caller: Caller,
    page: Pages,
    status: Status | None = None,
    before: Before = None,
) -> DeliveryPage:
    """The delivery log: every e-mail and webhook attempt for this partner, newest first."""
    who = Recipient("partner", id)
    admit(caller, who, staff=True)
    return await _deliveries(db, who, status, page, before)


@router.post(
    "/partners/{id}/deliveries/{did}/replay", response_model=DeliveryOut, tags=["partners"]
)
async def replay_delivery(db: Db, id: PartnerId, did: RowId, caller: Caller) -> dict[str, Any]:
    """Send a delivery again now, with a fresh retry budget and the same webhook-id."""
    who = Recipient("partner", id)
    admit(caller, who, staff=True)
    async with db.connection() as conn:
        found = await queue.replay(conn, who, did)
    if found is None:
        raise _no_delivery(who, did)
    return found


@router.delete("/partners/{id}/webhook", status_code=204, tags=["partners"])
async def delete_webhook(db: Db, id: PartnerId, caller: Caller) -> None:
    """Stop webhooks; deliveries still pending for it are parked as failed when due."""
    admit(caller, Recipient("partner", id), staff=True)
    async with db.connection() as conn:
        if not await store.delete_webhook(conn, id):
            raise _no_webhook(id)


@router.get("/learners/{id}/deliveries", response_model=DeliveryPage, tags=["learners"])
async def learner_deliveries(
    id: LearnerId,
    db: Db,
    caller: Caller,
    page: Pages,
    status: Status | None = None,
    before: Before = None,
) -> DeliveryPage:
    """The e-mails sent to a learner, newest first: the learner, a counsellor, an operator."""
    who = Recipient("learner", id)
    admit(caller, who, staff=True)
    return await _deliveries(db, who, status, page, before)


@router.post(
    "/learners/{id}/deliveries/{did}/replay", response_model=DeliveryOut, tags=["learners"]
)
async def replay_learner_delivery(
    db: Db, id: LearnerId, did: RowId, caller: Caller
) -> dict[str, Any]:
    """Send a parked e-mail again (operators, e.g. after the mail relay was fixed)."""
    _operators_only(caller)
    who = Recipient("learner", id)
    async with db.connection() as conn:
        found = await queue.replay(conn, who, did)
    if found is None:
        raise _no_delivery(who, did)
    return found


@router.get("/deliveries/failed", response_model=ParkedDeliveryPage, tags=["operations"])
async def failed_deliveries(db: Db, caller: Caller, page: Pages) -> dict[str, Any]:
    """Deliveries parked after their last retry, for everybody, newest first (operators only)."""
    _operators_only(caller)
    after = page.after(int)
    async with db.connection() as conn:
        rows = await queue.failed_deliveries(
            conn, page.limit + 1, before=after[0] if after else None
        )
    found, next_cursor = page.cut(rows, key=lambda row: (row["id"],))
    return {"items": found, "next_cursor": next_cursor}
