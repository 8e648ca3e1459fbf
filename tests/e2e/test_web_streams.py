"""Live notifications over HTTP: SSE streams opened with a ticket, resumed by Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.test_notify_api import outcome, publish_outcome, token
from tests.support.partner import eventually
from zll.devstack.sse import sse_messages
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e


async def next_messages(messages: AsyncIterator[dict[str, Any]], count: int) -> list[Any]:
    """The next `count` notifications (with their SSE id, opaque), or fail after 20 s."""
    found = []
    async with asyncio.timeout(20):
        while len(found) < count:
            message = await anext(messages)
            found.append((message["id"], json.loads(message["data"])))
    return found


async def ticket_for(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> str:
    response = await client.post(f"{path}/notifications/stream-ticket", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


@pytest.fixture
async def client(region: DevStack) -> AsyncIterator[httpx.AsyncClient]:
    timeout = httpx.Timeout(10, read=30)
    async with httpx.AsyncClient(base_url=region.layout.url("notify"), timeout=timeout) as c:
        yield c


async def test_a_confirmation_arrives_on_the_open_stream(
    region: DevStack, client: httpx.AsyncClient
) -> None:
    lena, course_id = f"lena-{uuid.uuid4().hex[:8]}", f"vhs-live-{uuid.uuid4().hex[:6]}:k1"
    ticket = await ticket_for(client, f"/learners/{lena}", token("learner", lena))
    stream = f"/learners/{lena}/notifications/stream"
    async with client.stream("GET", stream, params={"ticket": ticket}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        messages = sse_messages(response)
        await publish_outcome(
            region, "zll.enrolment.confirmed.v1", outcome(lena, course_id, source="http")
        )
        [(sse_id, notification)] = await next_messages(messages, 1)
    assert notification["kind"] == "enrolment.confirmed"
    assert sse_id  # opaque: where a reconnect resumes
    assert notification["subject"] == f"Anmeldung bestätigt: {course_id}"


async def test_the_stream_speaks_the_language_its_ticket_was_asked_for_in(
    region: DevStack, client: httpx.AsyncClient
) -> None:
    """EventSource sends the browser's Accept-Language, not the page's: the ticket decides."""
    tom, course_id = f"tom-{uuid.uuid4().hex[:8]}", f"vhs-live-{uuid.uuid4().hex[:6]}:k1"
    english = token("learner", tom) | {"Accept-Language": "en"}
    ticket = await ticket_for(client, f"/learners/{tom}", english)
    stream = f"/learners/{tom}/notifications/stream"
    browser = {"Accept-Language": "de-DE,de;q=0.9"}
    async with client.stream("GET", stream, params={"ticket": ticket}, headers=browser) as response:
        assert response.headers["content-language"] == "en"
        messages = sse_messages(response)
        await publish_outcome(
            region, "zll.enrolment.confirmed.v1", outcome(tom, course_id, source="http")
        )
        [(_, notification)] = await next_messages(messages, 1)
    assert notification["subject"] == f"Enrolment confirmed: {course_id}"
    assert notification["locale"] == "en"


async def test_a_reconnect_with_last_event_id_resumes_without_gap_or_duplicate(
    region: DevStack, client: httpx.AsyncClient
) -> None:
    mia, course_id = f"mia-{uuid.uuid4().hex[:8]}", f"vhs-live-{uuid.uuid4().hex[:6]}:k1"
    stream, headers = f"/learners/{mia}/notifications/stream", token("learner", mia)
    ticket = await ticket_for(client, f"/learners/{mia}", headers)
    async with client.stream("GET", stream, params={"ticket": ticket}) as response:
        messages = sse_messages(response)
        await publish_outcome(region, "zll.enrolment.waitlisted.v1", outcome(
            mia, course_id, waitlist_position=2))  # fmt: skip
        [(first, waitlisted)] = await next_messages(messages, 1)
    assert waitlisted["kind"] == "enrolment.waitlisted"

    # While the page is away: promoted, then cancelled; both must come on reconnect, once.
    await publish_outcome(region, "zll.enrolment.confirmed.v1", outcome(
        mia, course_id, source="http", promoted_from_waitlist=True))  # fmt: skip
    await publish_outcome(region, "zll.enrolment.cancelled.v1", outcome(
        mia, course_id, cancelled_by="learner"))  # fmt: skip

    async def all_three_recorded() -> bool:
        response = await client.get(f"/learners/{mia}/notifications", headers=headers)
        return len(response.json()["items"]) == 3

    assert await eventually(all_three_recorded), "notify never recorded the missed events"

    resume = {"Last-Event-ID": str(first)}
    ticket = await ticket_for(client, f"/learners/{mia}", headers)
    async with client.stream("GET", stream, params={"ticket": ticket}, headers=resume) as response:
        messages = sse_messages(response)
        missed = await next_messages(messages, 2)
        await publish_outcome(region, "zll.enrolment.confirmed.v1", outcome(
            mia, f"{course_id}b", source="provider"))  # fmt: skip
        live = await next_messages(messages, 1)
    kinds = [n["kind"] for _, n in missed + live]
    assert kinds == ["enrolment.promoted", "enrolment.cancelled", "enrolment.confirmed"]
    sse_ids = [sse_id for sse_id, _ in missed + live]
    assert len(set([first, *sse_ids])) == 4, "a stream position repeated"
    ids = [n["id"] for _, n in missed + live]
    assert ids == sorted(set(ids)), "a duplicate or out of order"
    assert ids[0] > waitlisted["id"]


async def test_a_partner_hears_a_new_enrolment_live(
    region: DevStack, client: httpx.AsyncClient
) -> None:
    partner = f"p{uuid.uuid4().hex[:10]}"
    ticket = await ticket_for(client, f"/partners/{partner}", token("provider", partner))
    stream = f"/partners/{partner}/notifications/stream"
    async with client.stream("GET", stream, params={"ticket": ticket}) as response:
        messages = sse_messages(response)
        learner = f"ole-{uuid.uuid4().hex[:6]}"
        await publish_outcome(region, "zll.enrolment.confirmed.v1", outcome(
            learner, f"{partner}:k7", source="http"))  # fmt: skip
        [(_, notification)] = await next_messages(messages, 1)
    assert notification["kind"] == "enrolment.new"


async def test_a_stream_ticket_opens_only_its_own_stream_and_is_no_bearer_token(
    client: httpx.AsyncClient,
) -> None:
    lena, mia = f"lena-{uuid.uuid4().hex[:8]}", f"mia-{uuid.uuid4().hex[:8]}"
    ticket = await ticket_for(client, f"/learners/{lena}", token("learner", lena))
    other = await client.get(f"/learners/{mia}/notifications/stream", params={"ticket": ticket})
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
    forged = await client.get(
        f"/learners/{lena}/notifications/stream", params={"ticket": ticket[:-4] + "AAAA"}
    )
    assert forged.status_code == 401
    assert (await client.get(f"/learners/{lena}/notifications/stream")).status_code == 401
    as_bearer = await client.get(
        f"/learners/{lena}/notifications", headers={"Authorization": f"Bearer {ticket}"}
    )
    assert as_bearer.status_code == 401
    foreign = await client.post(
        f"/learners/{lena}/notifications/stream-ticket", headers=token("learner", mia)
    )
    assert foreign.status_code == 403


async def test_a_resume_point_the_stream_never_wrote_is_a_422_naming_it(
    client: httpx.AsyncClient,
) -> None:
    lena = f"lena-{uuid.uuid4().hex[:8]}"
    stream = f"/learners/{lena}/notifications/stream"
    ticket = await ticket_for(client, f"/learners/{lena}", token("learner", lena))
    for garbled in ("7-", "x", "9" * 19):
        header = await client.get(
            stream, params={"ticket": ticket}, headers={"Last-Event-ID": garbled}
        )
        query = await client.get(stream, params={"ticket": ticket, "last_event_id": garbled})
        for response in (header, query):
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
        assert "Last-Event-ID" in header.text
        assert "last_event_id" in query.text
