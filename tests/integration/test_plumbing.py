"""Outbox, inbox and batch consumer against the dev stack's real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from zll_contracts import binary_record, new_event, to_record
from zll_contracts.payloads import CoursePublished, CourseUpserted

from tests.integration.databases import fresh_database
from tests.kafka_tools import header, read_topic
from tests.support.partner import course
from zll.devstack.stack import DevStack
from zll.platform.consumer import BatchConsumer, Message
from zll.platform.errors import Refused
from zll.platform.kafka import InboundRecord, new_producer
from zll.platform.outbox import OutboxRelay
from zll.platform.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration
TOPIC = "zll.provider.courses.v1"
NOW = datetime(2026, 12, 4, tzinfo=UTC)


@pytest.fixture
async def pool(infra: DevStack, tmp_path: Path) -> AsyncIterator[asyncpg.Pool]:
    """A fresh database per test, migrated with the platform's tables and an `effects` table."""
    (tmp_path / "001_effects.sql").write_text(
        "CREATE TABLE effects (course_id text NOT NULL, title text NOT NULL);"
    )
    async with fresh_database(infra, "plumbing", tmp_path) as pool:
        yield pool


class Flaky:
    """Handlers with switchable failures: a poisonous title, or a database outage."""

    def __init__(self) -> None:
        self.outages = 0

    async def upsert(self, uow: UnitOfWork, message: Message) -> None:
        payload = message.payload
        assert isinstance(payload, CourseUpserted)
        if self.outages:
            self.outages -= 1
            raise asyncpg.ConnectionDoesNotExistError("connection lost (simulated)")
        if payload.title == "refuse me":
            raise Refused.because("title", "not today")
        await uow.conn.execute(
            "INSERT INTO effects VALUES ($1, $2)", payload.course_id, payload.title
        )
        if payload.title == "poison":
            raise RuntimeError("a bug that only this event triggers")
        if payload.title == "wrong arguments":
            await uow.conn.execute("SELECT $1::int", 1, 2)  # a bug, not an outage
        uow.publish(CoursePublished(**payload.model_dump(), published_at=NOW), key="k")


def consumer_for(pool: asyncpg.Pool, handlers: Flaky) -> BatchConsumer:
    return BatchConsumer(
        service="catalog",
        source="/services/catalog",
        pool=pool,
        handlers={"zll.course.upserted.v1": handlers.upsert},
        topics=[TOPIC],
    )


def record(data: dict[str, Any], *, offset: int, ce_id: str | None = None) -> InboundRecord:
    provider = data["provider_id"]
    event = new_event("zll.course.upserted.v1", f"/providers/{provider}", data, id=ce_id)
    kafka = to_record(event, data["course_id"])
    return InboundRecord(TOPIC, 0, offset, kafka.key, kafka.value, kafka.headers)


async def effects(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("SELECT course_id, title FROM effects ORDER BY course_id")
    return [(r["course_id"], r["title"]) for r in rows]


async def outbox(pool: asyncpg.Pool) -> list[tuple[str, dict[str, str]]]:
    rows = await pool.fetch("SELECT topic, header_names, header_values FROM outbox ORDER BY id")
    return [
        (
            r["topic"],
            dict(zip(r["header_names"], [v.decode() for v in r["header_values"]], strict=True)),
        )
        for r in rows
    ]


async def test_a_redelivered_batch_has_no_second_effect(pool: asyncpg.Pool) -> None:
    batch = [record(course("a"), offset=0), record(course("b"), offset=1)]
    consumer = consumer_for(pool, Flaky())
    await consumer.apply_batch(batch)
    await consumer.apply_batch(batch)
    title = course("a")["title"]
    assert await effects(pool) == [("vhs-testhausen:a", title), ("vhs-testhausen:b", title)]
    assert [topic for topic, _ in await outbox(pool)] == ["zll.catalog.courses.v1"] * 2


async def test_the_same_event_twice_in_one_batch_counts_once(pool: asyncpg.Pool) -> None:
    twice = record(course("a"), offset=0, ce_id="same")
    await consumer_for(pool, Flaky()).apply_batch(
        [twice, record(course("a"), offset=1, ce_id="same")]
    )
    assert len(await effects(pool)) == 1


async def test_bad_records_are_answered_and_do_not_stop_the_good_ones(pool: asyncpg.Pool) -> None:
    garbage = InboundRecord(TOPIC, 0, 0, b"k", b"{not json", (("content-type", b"text/plain"),))
    refused = record(course("r", title="refuse me"), offset=1, ce_id="refused-1")
    broken = course("bad", capacity=-1)
    invalid = record(broken, offset=2, ce_id="invalid-1")
    good = record(course("good"), offset=3)
    await consumer_for(pool, Flaky()).apply_batch([garbage, refused, invalid, good])

    assert [c for c, _ in await effects(pool)] == ["vhs-testhausen:good"]
    staged = await outbox(pool)
    assert [t for t, _ in staged] == [
        "zll.dlq.v1",
        "zll.provider.feedback.v1",
        "zll.provider.feedback.v1",
        "zll.catalog.courses.v1",
    ]
    assert staged[0][1]["zll_origin_offset"] == "0"
    assert staged[0][1]["content-type"] == "text/plain"


async def test_a_poisonous_event_is_dead_lettered_and_its_partial_effect_undone(
    pool: asyncpg.Pool,
) -> None:
    batch = [
        record(course("before"), offset=0),
        record(course("poisoned", title="poison"), offset=1),
        record(course("after"), offset=2),
    ]
    await consumer_for(pool, Flaky()).apply_batch(batch)
    assert [c for c, _ in await effects(pool)] == ["vhs-testhausen:after", "vhs-testhausen:before"]
    dead = [h for t, h in await outbox(pool) if t == "zll.dlq.v1"]
    assert len(dead) == 1
    assert "a bug that only this event triggers" in dead[0]["zll_error"]


async def test_a_driver_error_that_is_a_bug_is_dead_lettered_not_retried(
    pool: asyncpg.Pool,
) -> None:
    batch = [
        record(course("bad", title="wrong arguments"), offset=0),
        record(course("ok"), offset=1),
    ]
    await consumer_for(pool, Flaky()).apply_batch(batch)
    assert [c for c, _ in await effects(pool)] == ["vhs-testhausen:ok"]
    dead = [h for t, h in await outbox(pool) if t == "zll.dlq.v1"]
    assert len(dead) == 1
    assert "expects 1 argument" in dead[0]["zll_error"]


async def test_an_outage_rolls_the_whole_batch_back(pool: asyncpg.Pool) -> None:
    handlers = Flaky()
    handlers.outages = 1
    consumer = consumer_for(pool, handlers)
    batch = [record(course("a"), offset=0), record(course("b"), offset=1)]
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await consumer.apply_batch(batch)
    assert await effects(pool) == []
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 0
    await consumer.apply_batch(batch)  # the redelivery
    assert len(await effects(pool)) == 2


async def test_the_relay_publishes_only_committed_rows_in_order(
    infra: DevStack, pool: asyncpg.Pool
) -> None:
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    await create_topic(infra.bootstrap, topic, partitions=1)
    async with pool.acquire() as conn:
        async with conn.transaction():
            uow = UnitOfWork(conn, "/services/test")
            for n in range(5):
                stage_on(uow, topic, CourseUpserted(**course(f"c{n}")), key="same-key")
            await uow.flush()
        await stage_and_roll_back(conn, topic)

    producer = new_producer(infra.bootstrap, "test-relay")
    await producer.start()
    try:
        assert await OutboxRelay(pool, producer).publish_pending() == 5
        assert await OutboxRelay(pool, producer).publish_pending() == 0
    finally:
        await producer.stop()
    published = await read_topic(infra.bootstrap, topic, until=lambda rs: len(rs) >= 5, timeout=5)
    assert [json.loads(r.value)["course_id"] for r in published] == [
        f"vhs-testhausen:c{n}" for n in range(5)
    ]
    assert {header(r, "ce_source") for r in published} == {"/services/test"}
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_the_relay_puts_each_key_on_the_partition_any_kafka_client_would(
    infra: DevStack, pool: asyncpg.Pool
) -> None:
    """Partners join our events with theirs by key: the relay's record batches must land
    where a plain producer (murmur2 of the key, as the Java client) puts the same key."""
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    await create_topic(infra.bootstrap, topic, partitions=3)
    keys = [f"vhs-testhausen:k{n}" for n in range(30)]
    async with pool.acquire() as conn, conn.transaction():
        uow = UnitOfWork(conn, "/services/test")
        for n in range(60):  # two events per key, in order
            key = keys[n % len(keys)]
            stage_on(uow, topic, CourseUpserted(**course(f"c{n}")), key=key)
        await uow.flush()

    producer = new_producer(infra.bootstrap, "test-relay")
    await producer.start()
    try:
        assert await OutboxRelay(pool, producer).publish_pending() == 60
        plain = {
            k: (await producer.send_and_wait(topic, b"{}", key=k.encode())).partition for k in keys
        }
    finally:
        await producer.stop()
    published = await read_topic(infra.bootstrap, topic, until=lambda rs: len(rs) >= 90, timeout=5)
    relayed = [r for r in published if r.value != b"{}"]
    assert {r.key.decode(): r.partition for r in relayed} == plain
    assert len(set(plain.values())) == 3  # the keys do spread over the partitions
    for key in keys:
        courses = [json.loads(r.value)["course_id"] for r in relayed if r.key == key.encode()]
        assert courses == sorted(courses, key=lambda c: int(c.rsplit("c", 1)[1]))  # in order


async def test_offsets_are_committed_after_the_database_commit(
    infra: DevStack, pool: asyncpg.Pool
) -> None:
    """A batch that fails on an outage is redelivered and applied; nothing is skipped."""
    topic = f"test.consumer.{uuid.uuid4().hex[:8]}"
    await create_topic(infra.bootstrap, topic, partitions=1)
    handlers = Flaky()
    handlers.outages = 1
    consumer = consumer_for(pool, handlers)
    consumer.topics = [topic]
    group = f"test-{uuid.uuid4().hex[:8]}"
    broker = KafkaBroker(infra.bootstrap)
    consumer.subscribe(broker, group_id=group, max_records=100, batch_timeout_ms=50)

    producer = new_producer(infra.bootstrap, "test-partner")
    await producer.start()
    for n in range(20):
        r = record(course(f"k{n}"), offset=n)
        await producer.send(topic, r.value, key=r.key, headers=list(r.headers))
    await producer.flush()
    await producer.stop()

    await broker.start()
    try:
        for _ in range(200):
            if len(await effects(pool)) == 20:
                break
            await asyncio.sleep(0.1)
    finally:
        await broker.stop()
    assert len(await effects(pool)) == 20
    assert handlers.outages == 0, "the simulated outage never happened"
    assert await committed_offset(infra.bootstrap, group, topic) == 20


def stage_on(uow: UnitOfWork, topic: str, course: CourseUpserted, *, key: str) -> None:
    """An event on a topic of the test's own, beside the registry's."""
    record = binary_record("zll.test.v1", uow.source, course.model_dump_json().encode(), key=key)
    uow.stage(topic, record)


async def stage_and_roll_back(conn: Any, topic: str) -> None:
    """A state change that fails after staging its event: the event must not go out."""

    class Failed(Exception):
        pass

    try:
        async with conn.transaction():
            uow = UnitOfWork(conn, "/services/test")
            stage_on(uow, topic, CourseUpserted(**course("never")), key="same-key")
            await uow.flush()
            raise Failed
    except Failed:
        return


async def create_topic(bootstrap: str, topic: str, *, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()


async def committed_offset(bootstrap: str, group: str, topic: str) -> int | None:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    # Assigning (not subscribing) reads the group's commit without joining the group.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        return await consumer.committed(partition)
    finally:
        await consumer.stop()
