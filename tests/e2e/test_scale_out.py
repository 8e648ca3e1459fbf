"""Two instances of every service on one database and consumer group each: they share the
partitions, nothing is applied twice, and a killed instance's partitions move to the other."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from zll_contracts.topics import CATALOG_COURSES, ENROLMENTS, PROVIDER_ENROLMENTS

from chaos.checks import header
from chaos.load import Partner, course_payload
from chaos.observe import read_all
from tests.conftest import free_port
from tests.pages import every_item
from zll.devstack.faults import QUICK_FAILOVER, ExtraInstance, wait_all_ready
from zll.devstack.stack import DevStack, StackLayout
from zll.platform.auth import mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e

PROVIDER = "vhs-scale"


@pytest.fixture
def twice(tmp_path: Path) -> Iterator[tuple[DevStack, dict[str, ExtraInstance]]]:
    """Its own stack (an instance gets killed), every service running twice."""
    layout = StackLayout(
        home=tmp_path, kafka_port=free_port(), ports={name: free_port() for name in SERVICE_NAMES}
    )
    stack = DevStack(layout, QUICK_FAILOVER)  # the killed instances' partitions move on sooner
    extras: dict[str, ExtraInstance] = {
        n: ExtraInstance(stack, n, free_port()) for n in SERVICE_NAMES
    }
    try:
        stack.start_infra()
        stack.start_services()
        for extra in extras.values():
            extra.launch()  # all at once: each waits for its group's rebalance (~7 s)
        wait_all_ready([extra.url for extra in extras.values()], timeout=120)
        yield stack, extras
    finally:
        for extra in extras.values():
            extra.stop()
        stack.stop()


async def consumed(url: str, topic: str) -> float:
    """zll_events_consumed_total of one instance for one topic, all outcomes."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{url}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "zll_events_consumed_total" and sample.labels.get("topic") == topic
    )


async def until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f}s"
        await asyncio.sleep(0.3)


class Region:
    """What the test sends, and how it reads the effects."""

    def __init__(self, stack: DevStack) -> None:
        self.stack = stack
        self.partner = Partner(stack.bootstrap, PROVIDER)
        self.courses: list[str] = []
        self.enrolments: dict[str, str] = {}  # enrolment_id -> learner_id

    async def publish_courses(self, n: int) -> None:
        for _ in range(n):
            code = f"c{len(self.courses)}"
            data = course_payload(PROVIDER, code, 1, 1000)
            assert await self.partner.send(
                "zll.provider.courses.v1", "zll.course.upserted.v1", data["course_id"], data
            )
            self.courses.append(data["course_id"])

    async def request_enrolments(self, n: int) -> None:
        for i in range(n):
            eid, learner = str(uuid.uuid4()), f"learner-{len(self.enrolments)}"
            course = self.courses[i % len(self.courses)]
            data = {
                "enrolment_id": eid,
                "course_id": course,
                "learner_id": learner,
                "requested_at": datetime.now(UTC).isoformat(),
            }
            assert await self.partner.send(
                PROVIDER_ENROLMENTS, "zll.enrolment.requested.v1", course, data
            )
            self.enrolments[eid] = learner

    async def all_known_to_enrolment(self) -> bool:
        async with httpx.AsyncClient(base_url=self.stack.layout.url("enrolment")) as client:
            for course in self.courses:
                if (await client.get(f"/courses/{course}/seats")).status_code != 200:
                    return False
        return True

    async def events(self, topic: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Per ordering key: the distinct (ce_type, data) events of this test's provider."""
        found: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
        for record in await read_all(self.stack.bootstrap, topic):
            key = record.key.decode()
            if key.startswith(f"{PROVIDER}:"):
                ce_id = header(record, "ce_id") or ""
                found.setdefault(key, {})[ce_id] = (
                    header(record, "ce_type") or "",
                    json.loads(record.value),
                )
        return {key: list(by_id.values()) for key, by_id in found.items()}

    async def each_once(self) -> bool:
        """Every course announced once, every enrolment decided once, every learner told once."""
        published = await self.events(CATALOG_COURSES)
        if sorted(published) != sorted(self.courses):
            return False
        assert all(len(events) == 1 for events in published.values()), published
        decisions = Counter(
            data["enrolment_id"] for events in (await self.events(ENROLMENTS)).values()
            for _, data in events
        )  # fmt: skip
        if set(decisions) != set(self.enrolments):
            return False
        assert set(decisions.values()) == {1}, decisions
        return await self.each_learner_told_once()

    async def each_learner_told_once(self) -> bool:
        token = mint_token(Settings(), role="counsellor", sub="scale-test")
        async with httpx.AsyncClient(
            base_url=self.stack.layout.url("notify"), headers={"Authorization": f"Bearer {token}"}
        ) as notify:
            for eid, learner in self.enrolments.items():
                notes = await every_item(notify, f"/learners/{learner}/notifications")
                about = [n for n in notes if n["data"].get("enrolment_id") == eid]
                if not about:
                    return False
                assert len(about) == 1, about
        return True


async def test_two_instances_share_partitions_and_take_over_without_loss(
    twice: tuple[DevStack, dict[str, ExtraInstance]],
) -> None:
    stack, extras = twice
    catalog = [stack.layout.url("catalog"), extras["catalog"].url]
    enrolment = [stack.layout.url("enrolment"), extras["enrolment"].url]
    region = Region(stack)
    token = mint_token(Settings(), role="operator", sub="ops")
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as operator:
        response = await operator.put(
            f"{catalog[0]}/providers/{PROVIDER}",
            json={"name": "VHS Scale", "kind": "volkshochschule", "municipality": "Kassel"},
        )
        response.raise_for_status()
    await region.partner.start()
    try:
        # Waves until both instances of catalog and of enrolment have consumed: the group has
        # rebalanced (Tansu takes ~5 s per join) and each holds some of the three partitions.
        async def both_consume() -> bool:
            await region.publish_courses(6)
            counts = [await consumed(url, "zll.provider.courses.v1") for url in catalog]
            counts += [await consumed(url, CATALOG_COURSES) for url in enrolment]
            return all(n > 0 for n in counts)

        await until(both_consume, 90, "both instances consuming")
        await until(region.all_known_to_enrolment, 60, "courses known to enrolment")
        await region.request_enrolments(30)
        await until(region.each_once, 60, "every effect once with two instances each")

        # One instance of each service dies hard; the other takes over its partitions.
        before = await consumed(catalog[0], "zll.provider.courses.v1")
        for extra in extras.values():
            extra.kill()
        await region.publish_courses(12)
        await until(region.all_known_to_enrolment, 90, "new courses after the kill")
        await region.request_enrolments(30)
        await until(region.each_once, 90, "every effect once after the kill")
        assert await consumed(catalog[0], "zll.provider.courses.v1") - before >= 12
    finally:
        await region.partner.stop()
