"""Load the demo region the way partners would: register providers, publish course events."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from zll_contracts import new_event, to_record
from zll_contracts.topics import PROVIDER_COURSES

from zll.demo.partners import member_kind
from zll.demo.region import DEMO_PROVIDERS, demo_courses
from zll.platform.kafka import new_producer


async def load_demo_region(
    bootstrap: str,
    catalog_url: str,
    operator_token: str,
    *,
    cooperative_url: str | None = None,
    timeout: float = 30.0,
) -> tuple[int, int]:
    """Returns (providers registered, courses visible in the catalogue). With
    `cooperative_url`, every provider becomes a member of the cooperative too."""
    headers = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=catalog_url, headers=headers, timeout=10) as http:
        for provider in DEMO_PROVIDERS:
            response = await http.put(
                f"/providers/{provider.provider_id}",
                json={
                    "name": provider.name,
                    "kind": provider.kind,
                    "municipality": provider.municipality,
                },
            )
            response.raise_for_status()
        if cooperative_url is not None:
            await register_members(cooperative_url, headers)
        courses = demo_courses()
        await publish_courses(bootstrap, courses)
        visible = await _wait_until_visible(http, [c["course_id"] for c in courses], timeout)
    return len(DEMO_PROVIDERS), visible


async def register_members(cooperative_url: str, headers: dict[str, str]) -> None:
    """The demo providers as the cooperative's members: chambers, employers, schools."""
    async with httpx.AsyncClient(base_url=cooperative_url, headers=headers, timeout=10) as http:
        for p in DEMO_PROVIDERS:
            body = {"name": p.name, "kind": member_kind(p.kind), "municipality": p.municipality}
            (await http.put(f"/members/{p.provider_id}", json=body)).raise_for_status()


async def _wait_until_visible(
    http: httpx.AsyncClient, course_ids: list[str], timeout: float
) -> int:
    deadline = time.monotonic() + timeout
    pending = set(course_ids)
    while pending and time.monotonic() < deadline:
        for course_id in list(pending):
            if (await http.get(f"/courses/{course_id}")).status_code == 200:
                pending.discard(course_id)
        if pending:
            await asyncio.sleep(0.2)
    return len(course_ids) - len(pending)


async def publish_courses(
    bootstrap: str, courses: list[dict[str, Any]], client_id: str = "zll-demo"
) -> None:
    """Each course as its provider would send it: `zll.course.upserted.v1`, keyed by course."""
    producer = new_producer(bootstrap, client_id)
    await producer.start()
    try:
        for course in courses:
            event = new_event(
                "zll.course.upserted.v1", f"/providers/{course['provider_id']}", course
            )
            record = to_record(event, course["course_id"])
            await producer.send(
                PROVIDER_COURSES, record.value, key=record.key, headers=list(record.headers)
            )
        await producer.flush()
    finally:
        await producer.stop()
