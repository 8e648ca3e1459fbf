"""A service's AsyncAPI document: the region's contract, cut to what it reads and writes."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import cache
from typing import Any

from zll_contracts.export import asyncapi_document
from zll_contracts.topics import DLQ, FEEDBACK

# Every service may refuse a partner's event or dead-letter a record.
ALWAYS_PUBLISHED = (FEEDBACK, DLQ)


@cache
def _region() -> dict[str, Any]:
    return asyncapi_document()


def service_document(
    service: str, consumes: Sequence[str], publishes: Sequence[str]
) -> dict[str, Any]:
    region = copy.deepcopy(_region())
    written = set(publishes) | set(ALWAYS_PUBLISHED)
    read = set(consumes)
    channels = {
        cid: channel
        for cid, channel in region["channels"].items()
        if channel["address"] in read | written
    }
    operations: dict[str, Any] = {}
    for cid, channel in channels.items():
        refs = [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in channel["messages"]]
        for action, topics in (("receive", read), ("send", written)):
            if channel["address"] in topics:
                operations[f"{action}_{cid}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{cid}"},
                    "messages": refs,
                }
    region["info"]["title"] = f"ZLL {service}"
    region["info"]["description"] = (
        f"What the {service} service reads and writes. " + region["info"]["description"]
    )
    region["channels"] = channels
    region["operations"] = operations
    return region
