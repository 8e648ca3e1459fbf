"""Live notifications as Server-Sent Events, opened with a short-lived stream ticket.

A browser's EventSource cannot send an Authorization header, so the page first trades its
bearer token for a ticket (`POST …/notifications/stream-ticket`) and opens
`GET …/notifications/stream?ticket=…`. See the README for why a ticket and not a cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from services.notify.access import Caller, Lang, LearnerId, PartnerId, admit, named
from services.notify.config import notify_settings
from services.notify.domain import Recipient
from services.notify.live import RESUME_PATTERN, InboxHub, resume_point, starting_point, stream
from services.notify.messages import MESSAGES
from zll.platform.auth import Principal, verify_token
from zll.platform.database import Database, Db
from zll.platform.i18n import LANGUAGES, Language
from zll.platform.problems import ProblemError
from zll.platform.settings import Settings

router = APIRouter()
_AUDIENCE = "zll-notify-stream"
TicketQuery = Annotated[
    str | None, Query(max_length=2000, description="A ticket from POST …/stream-ticket.")
]
_RESUME_DOC = (
    "Resume after this point: an SSE `id` this stream sent (opaque; the browser's"
    " EventSource sends the last one by itself), or a notification id from the inbox."
)
LastIdQuery = Annotated[
    str | None, Query(pattern=RESUME_PATTERN, max_length=40, description=_RESUME_DOC)
]
LastIdHeader = Annotated[
    str | None,
    Header(alias="Last-Event-ID", pattern=RESUME_PATTERN, max_length=40, description=_RESUME_DOC),
]


class StreamTicket(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ticket": "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ6bGwtbm90aWZ5LXN0cmVhbSJ9.c2ln",
                    "expires_at": "2026-11-23T10:01:00Z",
                    "stream_url": "/learners/lena/notifications/stream?ticket=eyJ…",
                }
            ]
        }
    )

    ticket: str = Field(description="Pass as `?ticket=` within its lifetime; good for one stream.")
    expires_at: datetime
    stream_url: str = Field(examples=["/learners/lena/notifications/stream?ticket=eyJ…"])


def _ticket_key(settings: Settings) -> bytes:
    # Derived, not the JWT secret itself: a ticket can never pass as a bearer token anywhere.
    return hmac.new(
        settings.jwt_secret.encode(), b"zll-notify-stream-ticket", hashlib.sha256
    ).digest()


def issue_ticket(
    settings: Settings, who: Recipient, ttl: timedelta, language: Language = "de"
) -> tuple[str, datetime]:
    # The page asks for the ticket with its Accept-Language; EventSource cannot choose its
    # own, so the ticket carries the language the stream's texts are in.
    expires = datetime.now(UTC) + ttl
    claims = {"aud": _AUDIENCE, "rk": who.kind, "sub": who.id, "exp": expires, "lang": language}
    return jwt.encode(claims, _ticket_key(settings), algorithm="HS256"), expires


def _check_ticket(settings: Settings, ticket: str, who: Recipient) -> Language | None:
    """The ticket's language, if it names one; a problem if the ticket is not good here."""
    try:
        claims = jwt.decode(
            ticket, _ticket_key(settings), algorithms=["HS256"], audience=_AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )  # fmt: skip
    except jwt.PyJWTError as error:
        raise ProblemError(
            401, MESSAGES("invalid-ticket"), MESSAGES("invalid-ticket.detail", reason=str(error))
        ) from error
    if (claims.get("rk"), claims.get("sub")) != (who.kind, who.id):
        raise ProblemError(403, MESSAGES("forbidden"), MESSAGES("ticket-not-yours", who=named(who)))
    language = claims.get("lang")
    return language if language in LANGUAGES else None


async def _ticket(
    request: Request, caller: Principal, who: Recipient, language: Language
) -> StreamTicket:
    admit(caller, who, staff=True)
    config = notify_settings()
    ttl = timedelta(seconds=config.stream_ticket_seconds)
    ticket, expires = issue_ticket(request.app.state.settings, who, ttl, language)
    path = f"/{who.kind}s/{who.id}/notifications/stream?ticket={ticket}"
    return StreamTicket(ticket=ticket, expires_at=expires, stream_url=path)


async def _open(
    request: Request,
    db: Database,
    who: Recipient,
    ticket: str | None,
    last_ids: tuple[str | None, str | None],
    asked: Language,
) -> StreamingResponse:
    """`last_ids`: the `Last-Event-ID` header (an EventSource's reconnect sends it), then the
    `last_event_id` query parameter (a page resuming by hand); the header wins."""
    header_id, query_id = last_ids
    last_id = header_id if header_id is not None else query_id
    settings: Settings = request.app.state.settings
    language = asked
    if ticket:
        language = _check_ticket(settings, ticket, who) or asked
    else:  # a non-browser client may send its bearer token instead
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ProblemError(
                401, MESSAGES("authentication-required"), MESSAGES("stream-authentication")
            )
        admit(verify_token(settings, token.strip()), who, staff=True)
    hub: InboxHub = request.app.state.inbox_hub
    pool = db.pool
    heartbeat = notify_settings().stream_heartbeat_seconds
    # Before the response starts: what commits once the client sees the stream open is
    # newer than this, so it is sent (see `live.stream`).
    resume = resume_point(last_id) if last_id is not None else None
    start = await starting_point(pool, who, resume)
    body = stream(pool, hub, who, start, heartbeat, language)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no", "Content-Language": language}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


_STREAM_DOC = (
    "Server-Sent Events: one `notification` event per new inbox entry, in the order they"
    " commit; its `id` is an opaque stream position. A reconnect with `Last-Event-ID` (or"
    " `?last_event_id=`) resumes without gap or duplicate, also with several notify"
    " instances. `last_event_id` may also be a notification id (a page that loaded the inbox"
    " first). Comments every few seconds keep proxies from closing it."
)


@router.post(
    "/learners/{id}/notifications/stream-ticket", response_model=StreamTicket, tags=["learners"]
)
async def learner_stream_ticket(
    id: LearnerId, request: Request, caller: Caller, language: Lang
) -> StreamTicket:
    """A short-lived ticket to open the learner's live stream from a browser; the stream's
    texts are in the language this request asked for."""
    return await _ticket(request, caller, Recipient("learner", id), language)


@router.get(
    "/learners/{id}/notifications/stream",
    tags=["learners"],
    response_class=StreamingResponse,
    description=_STREAM_DOC,
)
async def learner_stream(
    id: LearnerId, request: Request, db: Db, language: Lang, ticket: TicketQuery = None,
    last_event_id: LastIdQuery = None, last_event_header: LastIdHeader = None,
) -> StreamingResponse:  # fmt: skip
    """The learner's notifications, live."""
    last_ids = (last_event_header, last_event_id)
    return await _open(request, db, Recipient("learner", id), ticket, last_ids, language)


@router.post(
    "/partners/{id}/notifications/stream-ticket", response_model=StreamTicket, tags=["partners"]
)
async def partner_stream_ticket(
    id: PartnerId, request: Request, caller: Caller, language: Lang
) -> StreamTicket:
    """A short-lived ticket to open the partner's live stream from a browser; the stream's
    texts are in the language this request asked for."""
    return await _ticket(request, caller, Recipient("partner", id), language)


@router.get(
    "/partners/{id}/notifications/stream",
    tags=["partners"],
    response_class=StreamingResponse,
    description=_STREAM_DOC,
)
async def partner_stream(
    id: PartnerId, request: Request, db: Db, language: Lang, ticket: TicketQuery = None,
    last_event_id: LastIdQuery = None, last_event_header: LastIdHeader = None,
) -> StreamingResponse:  # fmt: skip
    """The partner's notifications, live."""
    last_ids = (last_event_header, last_event_id)
    return await _open(request, db, Recipient("partner", id), ticket, last_ids, language)
