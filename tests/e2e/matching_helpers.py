"""What the matching end-to-end tests share: clients, a partner's publisher, real ESCO URIs."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.esco.vocabulary import vocabulary
from zll.platform.settings import Settings


def client(region: DevStack, service: str, role: str, sub: str) -> httpx.AsyncClient:
    token = mint_token(Settings(), role=role, sub=sub)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        base_url=region.layout.url(service), headers={"Authorization": f"Bearer {token}"}
    )


def skill(words: str) -> str:
    """A real ESCO skill URI whose labels match the words."""
    return vocabulary().resolve(words, kind="skill", limit=1)[0].uri


async def publish(
    bootstrap: str, topic: str, data: dict[str, Any], *, key: str, ce_type: str, sender: str
) -> str:
    """What a partner's own client sends: CloudEvents binary mode."""
    ce_id = str(uuid.uuid4())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic,
            json.dumps(data).encode(),
            key=key.encode(),
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", ce_id.encode()),
                ("ce_source", f"/providers/{sender}".encode()),
                ("ce_type", ce_type.encode()),
                ("ce_time", b"2026-11-23T10:00:00Z"),
                ("content-type", b"application/json"),
            ],
        )
    finally:
        await producer.stop()
    return ce_id


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.2)


def course(
    provider: str, code: str, municipality: str, modules: list[dict[str, Any]], **changes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "course_id": f"{provider}:{code}",
        "provider_id": provider,
        "revision": 1,
        "title": f"Kurs {code}",
        "format": "onsite",
        "location": {"municipality": municipality},
        "start_date": "2030-03-01",
        "end_date": "2030-04-30",
        "schedule": "Mo 18:00–20:15",
        "capacity": 12,
        "price_eur": 480,
        "funding": ["bildungsgutschein"],
        "target_groups": ["working-age"],
        "modules": modules,
    }
    return data | changes


def module(module_id: str, skills: list[str], eqf: int = 3, hours: float = 40) -> dict[str, Any]:
    return {
        "module_id": module_id,
        "title": f"Modul {module_id}",
        "workload_hours": hours,
        "eqf_level": eqf,
        "skills": skills,
        "certificate": "module-certificate",
    }


async def register_provider(region: DevStack, provider: str, municipality: str) -> None:
    async with client(region, "catalog", "operator", "ops") as catalog:
        response = await catalog.put(
            f"/providers/{provider}",
            json={"name": provider, "kind": "volkshochschule", "municipality": municipality},
        )
        assert response.status_code == 200, response.text
