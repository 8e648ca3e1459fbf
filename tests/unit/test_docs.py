"""The region's AsyncAPI document renders to HTML, and each service's is cut to its own topics."""

from __future__ import annotations

from zll_contracts.export import asyncapi_document

from zll.docs import render
from zll.platform.asyncapi import service_document


def test_every_channel_and_event_type_appears_in_the_html() -> None:
    document = asyncapi_document()
    html = render(document)
    for channel in document["channels"].values():
        assert f"<code>{channel['address']}</code>" in html
    assert "<code>zll.course.upserted.v1</code>" in html
    assert "<script" not in html.lower()


def test_a_service_document_lists_what_it_reads_and_writes_and_nothing_else() -> None:
    document = service_document(
        "catalog", consumes=["zll.provider.courses.v1"], publishes=["zll.catalog.courses.v1"]
    )
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {
        "zll.provider.courses.v1",
        "zll.catalog.courses.v1",
        "zll.provider.feedback.v1",
        "zll.dlq.v1",
    }
    actions = {
        (op["action"], op["channel"]["$ref"].rsplit("/", 1)[-1])
        for op in document["operations"].values()
    }
    assert sum(1 for a, _ in actions if a == "receive") == 1
    assert sum(1 for a, _ in actions if a == "send") == 3
