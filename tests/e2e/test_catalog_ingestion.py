"""Catalog ingestion against the running region: a partner's own client, the topics, the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.kafka_tools import header, read_topic
from tests.pages import every_item
from tests.support.partner import course, eventually
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e
UPSERTED, WITHDRAWN = "zll.course.upserted.v1", "zll.course.withdrawn.v1"


class Partner:
    """One provider publishing with its own aiokafka producer, in order, binary mode."""

    def __init__(self, provider_id: str, producer: AIOKafkaProducer) -> None:
        self.provider_id = provider_id
        self.producer = producer

    async def send(
        self,
        ce_type: str,
        data: dict[str, Any],
        *,
        source: str | None = None,
        key: bytes | None = None,
    ) -> str:
        """Sends `data` keyed by its course_id, as the contract asks, unless `key` is given."""
        ce_id = str(uuid.uuid4())
        await self.producer.send_and_wait(
            "zll.provider.courses.v1",
            json.dumps(data).encode(),
            key=key if key is not None else data["course_id"].encode(),
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", ce_id.encode()),
                ("ce_source", (source or f"/providers/{self.provider_id}").encode()),
                ("ce_type", ce_type.encode()),
                ("content-type", b"application/json"),
            ],
        )
        return ce_id

    def course(self, code: str, **changes: Any) -> dict[str, Any]:
        return course(code, provider=self.provider_id, **changes)

    def withdrawal(self, code: str, revision: int, reason: str = "zu wenige Anmeldungen") -> dict:
        return {
            "course_id": f"{self.provider_id}:{code}",
            "provider_id": self.provider_id,
            "revision": revision,
            "reason": reason,
        }


@pytest.fixture(scope="module")
async def http(region: DevStack) -> AsyncIterator[httpx.AsyncClient]:
    token = mint_token(Settings(), role="operator", sub="ops")
    async with httpx.AsyncClient(
        base_url=region.layout.url("catalog"), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture
async def partner(region: DevStack, http: httpx.AsyncClient) -> AsyncIterator[Partner]:
    provider_id = f"bs-{uuid.uuid4().hex[:10]}"
    response = await http.put(
        f"/providers/{provider_id}",
        json={"name": "Berufsschule Test", "kind": "berufliche-schule", "municipality": "Lemgo"},
    )
    assert response.status_code == 200, response.text
    producer = AIOKafkaProducer(
        bootstrap_servers=region.bootstrap, acks="all", enable_idempotence=False
    )
    await producer.start()
    try:
        yield Partner(provider_id, producer)
    finally:
        await producer.stop()


async def stored(http: httpx.AsyncClient, course_id: str, **expected: Any) -> dict | None:
    response = await http.get(f"/courses/{course_id}")
    if response.status_code != 200:
        return None
    body = response.json()
    return body if all(body.get(k) == v for k, v in expected.items()) else None


async def announcements(region: DevStack, course_id: str, count: int) -> list[Any]:
    records = await read_topic(
        region.bootstrap,
        "zll.catalog.courses.v1",
        until=lambda rs: sum(r.key == course_id.encode() for r in rs) >= count,
    )
    return [r for r in records if r.key == course_id.encode()]


async def feedback_for(region: DevStack, ce_ids: list[str]) -> dict[str, dict[str, Any]]:
    records = await read_topic(
        region.bootstrap,
        "zll.provider.feedback.v1",
        until=lambda rs: {json.loads(r.value).get("original_ce_id") for r in rs} >= set(ce_ids),
    )
    values = [json.loads(r.value) for r in records]
    return {v["original_ce_id"]: v for v in values if v.get("original_ce_id") in ce_ids}


async def test_a_withdrawal_announces_the_full_course_and_a_higher_revision_revives_it(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    data = partner.course("schweissen-1", title="Schweißen für Einsteiger")
    course_id = data["course_id"]
    await partner.send(UPSERTED, data)
    await partner.send(WITHDRAWN, partner.withdrawal("schweissen-1", 2, "Werkstatt gesperrt"))
    withdrawn = await eventually(lambda: stored(http, course_id, status="withdrawn"))
    assert withdrawn is not None
    assert withdrawn["reason"] == "Werkstatt gesperrt"
    found = await http.get("/courses", params={"q": "schweissen", "provider": partner.provider_id})
    assert found.json()["items"] == []
    assert (await http.get(f"/providers/{partner.provider_id}")).json()["live_courses"] == 0

    await partner.send(UPSERTED, partner.course("schweissen-1", revision=2, title="stale"))
    await partner.send(UPSERTED, partner.course("schweissen-1", revision=3, title="Wieder da"))
    assert await eventually(lambda: stored(http, course_id, status="live", title="Wieder da"))

    records = await announcements(region, course_id, 3)
    assert [header(r, "ce_type") for r in records] == [
        "zll.catalog.course-published.v1",
        "zll.catalog.course-withdrawn.v1",
        "zll.catalog.course-published.v1",
    ]
    announced = json.loads(records[1].value)
    assert announced["title"] == "Schweißen für Einsteiger"
    # as sent, with the contract's defaults filled in (a provider names its skills itself)
    assert announced["modules"] == [m | {"skills_inferred": False} for m in data["modules"]]
    assert (announced["revision"], announced["reason"]) == (2, "Werkstatt gesperrt")


async def test_rapid_revisions_of_one_course_each_announced_once_in_order(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    course_id = f"{partner.provider_id}:serie"
    for revision in (1, 2, 2, 4, 3, 5):
        await partner.send(UPSERTED, partner.course("serie", revision=revision, capacity=revision))
    assert await eventually(lambda: stored(http, course_id, revision=5))
    records = await announcements(region, course_id, 4)
    assert [json.loads(r.value)["revision"] for r in records] == [1, 2, 4, 5]
    assert (await http.get(f"/courses/{course_id}")).json()["capacity"] == 5


async def test_withdrawals_and_upserts_that_break_a_rule_get_feedback_per_field(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    unknown = await partner.send(WITHDRAWN, partner.withdrawal("nie-gesehen", 1))
    foreign = course("fremd", provider="vhs-testhausen")
    impostor = await partner.send(UPSERTED, foreign)
    mismatch = partner.course("falsch")
    mismatch["course_id"] = "andere-schule:falsch"
    wrong_prefix = await partner.send(UPSERTED, mismatch)
    good = partner.course("danach")
    await partner.send(UPSERTED, good)

    assert await eventually(lambda: stored(http, good["course_id"]))
    answers = await feedback_for(region, [unknown, impostor, wrong_prefix])
    assert [e["field"] for e in answers[unknown]["errors"]] == ["course_id"]
    assert [e["field"] for e in answers[impostor]["errors"]] == ["provider_id"]
    assert [e["field"] for e in answers[wrong_prefix]["errors"]] == ["course_id"]
    assert all(a["provider_id"] == partner.provider_id for a in answers.values())
    assert await stored(http, foreign["course_id"]) is None


async def test_a_course_keyed_other_than_by_its_course_id_is_refused_on_key(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    # A common slip: keying every record by the provider, not the course.
    by_provider = partner.course("falscher-schluessel")
    upsert = await partner.send(UPSERTED, by_provider, key=partner.provider_id.encode())
    live = partner.course("bleibt")
    await partner.send(UPSERTED, live)
    assert await eventually(lambda: stored(http, live["course_id"]))
    withdrawal = partner.withdrawal("bleibt", 2)
    withdraw = await partner.send(WITHDRAWN, withdrawal, key=b"bleibt")
    after = partner.course("danach")
    await partner.send(UPSERTED, after)

    assert await eventually(lambda: stored(http, after["course_id"]))
    answers = await feedback_for(region, [upsert, withdraw])
    for ce_id in (upsert, withdraw):
        [error] = answers[ce_id]["errors"]
        assert error["field"] == "key"
    assert by_provider["course_id"] in answers[upsert]["errors"][0]["message"]
    assert await stored(http, by_provider["course_id"]) is None
    assert await stored(http, live["course_id"], revision=1, status="live")


async def test_providers_are_listed_with_their_kind_and_live_course_count(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    for code in ("a", "b"):
        await partner.send(UPSERTED, partner.course(code))

    async def counted() -> dict | None:
        body = (await http.get(f"/providers/{partner.provider_id}")).json()
        return body if body["live_courses"] == 2 else None

    provider = await eventually(counted)
    assert provider == {
        "provider_id": partner.provider_id,
        "name": "Berufsschule Test",
        "kind": "berufliche-schule",
        "municipality": "Lemgo",
        "live_courses": 2,
    }
    assert provider in await every_item(http, "/providers")
    missing = await http.get("/providers/gibt-es-nicht")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
