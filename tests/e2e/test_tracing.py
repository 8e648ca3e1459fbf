"""Every request is one trace across the services it touches (contract invariant 6).

The dev stack's services export over OTLP/HTTP to its local receiver, a real OTLP endpoint;
the test reads the spans it received.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Set

import httpx
import pytest
from typer.testing import CliRunner

from tests.e2e.test_enrolment_http import PROVIDER, bearer, known_course
from tests.kafka_tools import header, read_topic
from tests.support.partner import course, eventually, publish_binary
from zll.cli import app
from zll.devstack.stack import DevStack
from zll.devstack.traces import Span, SpanStore

pytestmark = pytest.mark.e2e


def traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


async def spans_of(
    region: DevStack, trace_id: str, services: set[str], names: Set[tuple[str, str]] = frozenset()
) -> list[Span]:
    """The trace's spans once every expected service (and named span) has reported into it.

    Each process exports on its own schedule, and a relay's send span after its consumer's.
    """
    store = SpanStore(region.layout.spans)

    async def complete() -> list[Span] | None:
        spans = store.trace(trace_id)
        seen = {(s.service, s.name) for s in spans}
        return spans if {s.service for s in spans} >= services and seen >= names else None

    return await eventually(complete, timeout=30) or store.trace(trace_id)


async def test_a_partners_traceparent_is_continued_through_every_service(region: DevStack) -> None:
    await known_course(region, "trace-warmup", capacity=1)  # provider registered, ledger warm
    trace_id, parent = traceparent()
    data = course("traced", provider=PROVIDER)
    await publish_binary(
        region.bootstrap,
        data,
        source=f"/providers/{PROVIDER}",
        ce_id=str(uuid.uuid4()),
        more_headers=(("traceparent", parent.encode()),),
    )

    expected = {"zll-catalog", "zll-enrolment", "zll-matching"}
    spans = await spans_of(region, trace_id, expected)
    assert {s.service for s in spans} >= expected
    names = {(s.service, s.name) for s in spans}
    assert ("zll-catalog", "process zll.provider.courses.v1") in names
    assert ("zll-catalog", "send zll.catalog.courses.v1") in names
    assert ("zll-enrolment", "process zll.catalog.courses.v1") in names
    consumer = next(s for s in spans if s.name == "process zll.provider.courses.v1")
    assert consumer.attributes["messaging.system"] == "kafka"
    assert consumer.attributes["messaging.consumer.group.name"] == "zll-catalog"
    assert consumer.attributes["messaging.kafka.message.key"] == data["course_id"]


async def test_a_record_without_a_trace_is_traced_with_its_poll_batch(region: DevStack) -> None:
    data = course("untraced", provider=PROVIDER)
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    key = data["course_id"].encode()
    announced = await read_topic(
        region.bootstrap, "zll.catalog.courses.v1", until=lambda rs: any(r.key == key for r in rs)
    )
    parent = header(next(r for r in announced if r.key == key), "traceparent")
    assert parent is not None, "the canonical event carries no trace to follow"

    trace_id = parent.split("-")[1]
    sent = ("zll-catalog", "send zll.catalog.courses.v1")
    spans = await spans_of(region, trace_id, {"zll-catalog", "zll-enrolment"}, {sent})
    names = {(s.service, s.name) for s in spans}
    assert ("zll-catalog", "process batch") in names
    assert ("zll-catalog", "send zll.catalog.courses.v1") in names
    assert ("zll-enrolment", "process zll.catalog.courses.v1") in names
    assert ("zll-catalog", "process zll.provider.courses.v1") not in names  # no span per record


async def test_an_http_request_is_one_trace_from_enrolment_to_notification(
    region: DevStack,
) -> None:
    course_id = await known_course(region, "trace-http", capacity=3)
    trace_id, parent = traceparent()
    learner = f"trace-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=region.layout.url("enrolment")) as enrolment:
        response = await enrolment.post(
            "/enrolments",
            json={"course_id": course_id, "learner_id": learner},
            headers={**bearer("learner", learner), "traceparent": parent},
        )
    assert response.status_code in (200, 201), response.text

    spans = await spans_of(region, trace_id, {"zll-enrolment", "zll-notify"})
    services = {s.service for s in spans}
    assert services >= {"zll-enrolment", "zll-notify"}
    assert any(s.kind == "server" and s.service == "zll-enrolment" for s in spans)
    assert any(s.name == "process zll.enrolments.v1" and s.service == "zll-notify" for s in spans)
    assert any(s.name.startswith("INSERT") or "postgresql" in str(s.attributes) for s in spans)


async def test_an_operator_finds_the_trace_of_a_course_a_plain_client_sent(
    region: DevStack,
) -> None:
    """`zll trace --course` finds the poll batch that handled it, though it carried no trace."""
    data = course(f"find-{uuid.uuid4().hex[:6]}", provider=PROVIDER)
    await publish_binary(
        region.bootstrap, data, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    runner = CliRunner()
    env = {"ZLL_HOME": str(region.layout.home)}

    async def listed() -> str | None:
        result = runner.invoke(
            app, ["trace", "--course", data["course_id"], "--since", "5m"], env=env
        )
        # Each service exports its spans on its own schedule: the trace is whole once its
        # root, the catalog's poll batch, has arrived too.
        return result.output if "process batch" in result.output else None

    listing = await eventually(listed, timeout=30)
    assert listing is not None, "no trace of the course"
    # One trace: the catalog's poll batch, continued by every service the course reached.
    # (Their own batches are not listed: the record reached them with a traceparent.)
    header, first = listing.splitlines()
    assert header.split()[:4] == ["started", "root", "operation", "topic"]
    assert "process batch" in first
    assert "zll.provider.courses.v1" in first
    assert data["course_id"] in first
    trace_id = first.split()[-1]

    async def drawn() -> list[str] | None:
        tree = runner.invoke(app, ["trace", trace_id], env=env).output.splitlines()
        return tree if any("zll-enrolment" in line for line in tree) else None

    tree = await eventually(drawn, timeout=30) or []
    assert tree[0].startswith("process batch  [zll-catalog, consumer]")
    assert "bare SQL" in tree[0]  # BEGIN and COMMIT folded into the batch's line
    assert any(line.strip().startswith("INSERT inbox") for line in tree)
    assert not any(line.strip().startswith(("BEGIN", "COMMIT")) for line in tree)
    everything = runner.invoke(app, ["trace", trace_id, "--all"], env=env).output.splitlines()
    assert any(line.strip().startswith("BEGIN") for line in everything)
    assert runner.invoke(app, ["trace", "--course", "nobody:none"], env=env).exit_code == 1
