"""A partner publishes a course with its own Kafka client; the region serves and announces it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.kafka_tools import header, read_topic
from tests.support.partner import PROVIDER, course, eventually, publish_binary, publish_raw
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def catalog(region: DevStack) -> Any:
    token = mint_token(Settings(), role="operator", sub="ops")
    async with httpx.AsyncClient(
        base_url=region.layout.url("catalog"), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        response = await client.put(
            f"/providers/{PROVIDER}",
            json={"name": "VHS Testhausen", "kind": "volkshochschule", "municipality": "Kassel"},
        )
        assert response.status_code == 200, response.text
        yield client


async def course_in_catalog(catalog: httpx.AsyncClient, course_id: str) -> dict[str, Any] | None:
    response = await catalog.get(f"/courses/{course_id}")
    return response.json() if response.status_code == 200 else None


async def test_a_partners_course_is_served_and_announced(region: DevStack, catalog: Any) -> None:
    # Many tests publish this title; a word of its own finds this one among them.
    mark = f"zq{uuid.uuid4().hex[:10]}"
    data = course(f"pflege-{mark}", description=f"Grundlagen der Pflege. Kurszeichen {mark}.")
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )

    stored = await eventually(lambda: course_in_catalog(catalog, data["course_id"]))
    assert stored is not None, "the course never reached GET /courses/{course_id}"
    assert stored["title"] == data["title"]
    assert stored["modules"][0]["eqf_level"] == 3

    # Search is derived behind ingestion by the catalog's indexer: findable a moment later.
    async def findable() -> bool:
        query = {"q": f"Pflegekraft {mark}", "municipality": "Kassel"}
        found = await catalog.get("/courses", params=query)
        return data["course_id"] in [c["course_id"] for c in found.json()["items"]]

    assert await eventually(findable), "stored, but never findable by search"

    announced = await read_topic(
        region.bootstrap,
        "zll.catalog.courses.v1",
        until=lambda rs: any(r.key == data["course_id"].encode() for r in rs),
    )
    record = next(r for r in announced if r.key == data["course_id"].encode())
    assert header(record, "ce_type") == "zll.catalog.course-published.v1"
    assert header(record, "ce_source") == "/services/catalog"
    assert json.loads(record.value)["title"] == data["title"]


async def test_enrolment_learns_the_course_from_the_catalogs_topic(
    region: DevStack, catalog: Any
) -> None:
    data = course("pflege-seats", capacity=7)
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    async with httpx.AsyncClient(base_url=region.layout.url("enrolment")) as enrolment:

        async def seats() -> dict[str, Any] | None:
            response = await enrolment.get(f"/courses/{data['course_id']}/seats")
            return response.json() if response.status_code == 200 else None

        assert await eventually(seats) == {
            "capacity": 7,
            "confirmed": 0,
            "waitlisted": 0,
            "offered": 0,
        }


async def test_the_same_event_twice_and_a_stale_revision_have_no_second_effect(
    region: DevStack, catalog: Any
) -> None:
    ce_id = str(uuid.uuid4())
    newer = course("dup", revision=2, title="Revision zwei")
    await publish_binary(region.bootstrap, newer, source=f"/providers/{PROVIDER}", ce_id=ce_id)
    await publish_binary(region.bootstrap, newer, source=f"/providers/{PROVIDER}", ce_id=ce_id)
    stale = course("dup", revision=1, title="Revision eins")
    await publish_binary(
        region.bootstrap, stale, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    marker = course("dup-marker")  # same partition order does not hold across keys: wait for both
    await publish_binary(
        region.bootstrap, marker, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )

    assert await eventually(lambda: course_in_catalog(catalog, marker["course_id"]))
    stored = await eventually(lambda: course_in_catalog(catalog, newer["course_id"]))
    assert stored["title"] == "Revision zwei"
    published = await read_topic(
        region.bootstrap,
        "zll.catalog.courses.v1",
        until=lambda rs: any(r.key == marker["course_id"].encode() for r in rs),
    )
    assert [r for r in published if r.key == newer["course_id"].encode()].__len__() == 1


async def test_a_refused_course_yields_feedback_and_the_next_good_one_still_lands(
    region: DevStack, catalog: Any
) -> None:
    unknown = course("x", provider="unbekannt")
    bad_level = course("bad-level")
    bad_level["modules"][0]["eqf_level"] = 9
    refused_ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    await publish_binary(
        region.bootstrap, unknown, source="/providers/unbekannt", ce_id=refused_ids[0]
    )
    await publish_binary(
        region.bootstrap, bad_level, source=f"/providers/{PROVIDER}", ce_id=refused_ids[1]
    )
    good = course("after-refusals")
    await publish_binary(
        region.bootstrap, good, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )

    assert await eventually(lambda: course_in_catalog(catalog, good["course_id"]))
    assert await course_in_catalog(catalog, bad_level["course_id"]) is None
    feedback = await read_topic(
        region.bootstrap,
        "zll.provider.feedback.v1",
        until=lambda rs: (
            {json.loads(r.value).get("original_ce_id") for r in rs} >= set(refused_ids)
        ),
    )
    by_id = {json.loads(r.value).get("original_ce_id"): json.loads(r.value) for r in feedback}
    assert by_id[refused_ids[0]]["errors"][0]["field"] == "provider_id"
    [eqf] = by_id[refused_ids[1]]["errors"]
    assert eqf["field"] == "modules.0.eqf_level"  # for programs, as it always was
    assert eqf["message_de"] == (
        "Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9."
    )
    assert by_id[refused_ids[1]]["subject"] == {
        "course_id": bad_level["course_id"],
        "title": bad_level["title"],
    }
    assert by_id[refused_ids[1]]["provider_id"] == PROVIDER


async def test_unreadable_records_go_to_the_dead_letter_topic_unchanged(
    region: DevStack, catalog: Any
) -> None:
    garbage = b"\x00\x01 not json " + uuid.uuid4().hex.encode()
    await publish_raw(region.bootstrap, garbage, [("content-type", b"text/plain")])
    good = course("after-garbage")
    await publish_binary(
        region.bootstrap, good, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )

    assert await eventually(lambda: course_in_catalog(catalog, good["course_id"]))
    dead = await read_topic(
        region.bootstrap, "zll.dlq.v1", until=lambda rs: any(r.value == garbage for r in rs)
    )
    record = next(r for r in dead if r.value == garbage)
    assert header(record, "zll_origin_topic") == "zll.provider.courses.v1"
    assert header(record, "zll_service") == "catalog"
    assert "CloudEvents" in (header(record, "zll_error") or "")
    assert header(record, "content-type") == "text/plain"


async def test_structured_mode_is_accepted(region: DevStack, catalog: Any) -> None:
    data = course("structured")
    envelope = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"/providers/{PROVIDER}",
        "type": "zll.course.upserted.v1",
        "datacontenttype": "application/json",
        "data": data,
    }
    await publish_raw(
        region.bootstrap,
        json.dumps(envelope).encode(),
        [("content-type", b"application/cloudevents+json")],
        key=data["course_id"].encode(),  # the ordering key, as in binary mode
    )
    assert await eventually(lambda: course_in_catalog(catalog, data["course_id"]))


async def test_every_service_is_healthy_and_ready(region: DevStack) -> None:
    async with httpx.AsyncClient() as client:
        for service in SERVICE_NAMES:
            base = region.layout.url(service)
            assert (await client.get(f"{base}/healthz")).json() == {"status": "ok"}
            ready = await client.get(f"{base}/readyz")
            assert ready.status_code == 200, (service, ready.text)
            assert "zll_events_consumed_total" in (await client.get(f"{base}/metrics")).text
            assert (await client.get(f"{base}/openapi.json")).status_code == 200
