"""How a partner publishes: a course as the contract describes it, sent with a plain client."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiokafka import AIOKafkaProducer

PROVIDER = "vhs-testhausen"


def course(
    code: str, *, revision: int = 1, provider: str = PROVIDER, **changes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "course_id": f"{provider}:{code}",
        "provider_id": provider,
        "revision": revision,
        "title": "Pflegekräfte in der Altenhilfe – Grundlagen",
        "description": "Grundlagen der Pflege für Quereinsteigerinnen und Quereinsteiger.",
        "format": "onsite",
        "location": {"municipality": "Kassel", "postcode": "34117"},
        "start_date": "2027-03-01",
        "end_date": "2027-06-30",
        "capacity": 12,
        "price_eur": 480,
        "funding": ["bildungsgutschein"],
        "target_groups": ["working-age"],
        "modules": [
            {
                "module_id": "m1",
                "title": "Körperpflege und Mobilisation",
                "workload_hours": 40,
                "eqf_level": 3,
                "skills": ["http://data.europa.eu/esco/skill/test-care"],
                "certificate": "module-certificate",
            }
        ],
    }
    data.update(changes)
    return data


async def publish_binary(
    bootstrap: str,
    data: dict[str, Any],
    *,
    source: str,
    ce_id: str,
    more_headers: tuple[tuple[str, bytes], ...] = (),
) -> None:
    """Exactly what a partner's own client sends: CloudEvents binary mode, by hand
    (`more_headers`: e.g. the partner's own `traceparent`)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            "zll.provider.courses.v1",
            json.dumps(data).encode(),
            key=data["course_id"].encode(),
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", ce_id.encode()),
                ("ce_source", source.encode()),
                ("ce_type", b"zll.course.upserted.v1"),
                ("ce_time", b"2026-11-23T10:00:00Z"),
                ("content-type", b"application/json"),
                *more_headers,
            ],
        )
    finally:
        await producer.stop()


async def publish_raw(
    bootstrap: str, value: bytes, headers: list[tuple[str, bytes]], key: bytes = b"x"
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait("zll.provider.courses.v1", value, key=key, headers=headers)
    finally:
        await producer.stop()


async def eventually(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)
