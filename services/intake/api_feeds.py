"""A provider registers the URL of its export; the region pulls it on schedule or now."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response

from services.intake import feed_store, feeds
from services.intake.api import LIMITS, Caller, Lang, ProviderId, check_acts_for
from services.intake.config import IntakeSettings
from services.intake.feed_store import Feed
from services.intake.messages import MESSAGES
from services.intake.schemas import FeedIn, FeedState
from zll.platform.database import Db
from zll.platform.i18n import Language
from zll.platform.problems import ProblemError

router = APIRouter(tags=["feeds"])


def _state(feed: Feed, language: Language) -> FeedState:
    return FeedState(
        provider_id=feed.provider_id,
        url=feed.url,
        format=feed.format,
        interval_minutes=feed.interval_seconds // 60,
        next_pull_at=feed.next_pull_at,
        last_pulled_at=feed.last_pulled_at,
        last_outcome=feed.last_outcome,
        last_import_id=feed.last_import_id,
        last_error=feed.last_error[language] if feed.last_error else None,
    )


def _not_found(provider_id: str) -> ProblemError:
    return ProblemError(
        404, MESSAGES("feed-not-found"), MESSAGES("feed-not-found.detail", provider_id=provider_id)
    )


@router.put("/providers/{provider_id}/feed", response_model=FeedState)
async def register_feed(
    db: Db,
    response: Response,
    provider_id: ProviderId,
    feed: FeedIn,
    caller: Caller,
    language: Lang,
) -> FeedState:
    """Register (or change) the URL the region pulls the provider's export from.

    A new URL or format is pulled at the next look of the scheduler; the same one keeps its
    validators, so an unchanged export is answered 304 and costs nothing.
    """
    check_acts_for(caller, provider_id)
    async with db.connection() as conn:
        stored = await feed_store.register(
            conn,
            provider_id,
            str(feed.url),
            feed.format.value if feed.format else None,
            feed.interval_minutes * 60,
        )
    response.headers["Content-Language"] = language
    return _state(stored, language)


@router.get("/providers/{provider_id}/feed", response_model=FeedState)
async def get_feed(
    db: Db, response: Response, provider_id: ProviderId, caller: Caller, language: Lang
) -> FeedState:
    """The feed, when it is pulled next and how its last pull went."""
    check_acts_for(caller, provider_id)
    async with db.connection() as conn:
        found = await feed_store.get(conn, provider_id)
    if found is None:
        raise _not_found(provider_id)
    response.headers["Content-Language"] = language
    return _state(found, language)


@router.delete("/providers/{provider_id}/feed", status_code=204)
async def remove_feed(db: Db, provider_id: ProviderId, caller: Caller) -> Response:
    """Stop pulling (nothing to stop is fine too); the feed's courses stay until withdrawn."""
    check_acts_for(caller, provider_id)
    async with db.connection() as conn:
        await feed_store.remove(conn, provider_id)
    return Response(status_code=204)


@router.post("/providers/{provider_id}/feed/pulls", response_model=FeedState)
async def pull_now(
    db: Db,
    request: Request,
    response: Response,
    provider_id: ProviderId,
    caller: Caller,
    language: Lang,
) -> FeedState:
    """Pull the feed now (an operator after a provider's call, or the provider itself) and
    answer how it went; `last_import_id` leads to the report."""
    check_acts_for(caller, provider_id)
    config: IntakeSettings = request.app.state.intake_settings
    client: httpx.AsyncClient = request.app.state.feed_client
    async with db.connection() as conn:
        claimed = await feed_store.claim_now(
            conn, provider_id, lease_seconds=config.feed_lease_seconds
        )
        if claimed is None:
            if await feed_store.get(conn, provider_id) is None:
                raise _not_found(provider_id)
            raise ProblemError(409, MESSAGES("feed-busy"), MESSAGES("feed-busy.detail"))
    await feeds.pull(db, client, claimed, config, LIMITS)
    async with db.connection() as conn:
        after = await feed_store.get(conn, provider_id)
    if after is None:  # removed while it was pulled
        raise _not_found(provider_id)
    response.headers["Content-Language"] = language
    return _state(after, language)
