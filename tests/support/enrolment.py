"""Events on the enrolment service's topics, applied in-process through its real wiring."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.enrolment.app import DEFINITION
from tests.support.partner import PROVIDER, course
from zll.platform import testing
from zll.platform.kafka import InboundRecord

__all__ = ["PROVIDER", "Feed", "events"]


class Feed(testing.Feed):
    """Events as they would arrive on the enrolment service's topics, through its real wiring."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(DEFINITION, pool)

    async def course(
        self, code: str, *, revision: int = 1, withdrawn: bool = False, **changes: Any
    ) -> str:
        data = course(code, revision=revision, **changes)
        now = datetime.now(UTC).isoformat()
        data |= {"reason": "x", "withdrawn_at": now} if withdrawn else {"published_at": now}
        kind = "course-withdrawn" if withdrawn else "course-published"
        await self.apply(
            self.record(
                f"zll.catalog.{kind}.v1", data, source="/services/catalog", key=data["course_id"]
            )
        )
        return str(data["course_id"])

    def request(
        self,
        course_id: str,
        learner: str,
        *,
        sender: str = PROVIDER,
        enrolment_id: str | None = None,
        ce_id: str | None = None,
        contact: dict[str, str] | None = None,
    ) -> InboundRecord:
        data: dict[str, Any] = {
            "enrolment_id": enrolment_id or str(uuid.uuid4()),
            "course_id": course_id,
            "learner_id": learner,
            "requested_at": datetime.now(UTC).isoformat(),
        }
        if contact:
            data["contact"] = contact
        return self.record(
            "zll.enrolment.requested.v1",
            data,
            source=f"/providers/{sender}",
            key=course_id,
            ce_id=ce_id,
        )

    def partner(
        self, ce_type: str, data: dict[str, Any], *, key: str, sender: str = PROVIDER
    ) -> InboundRecord:
        """A cancellation or completion, keyed as the contract asks: by the course."""
        return self.record(ce_type, data, source=f"/providers/{sender}", key=key)


async def events(pool: asyncpg.Pool, ce_type: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT value, header_names, header_values FROM outbox ORDER BY id")
    found = []
    for r in rows:
        headers = dict(zip(r["header_names"], r["header_values"], strict=True))
        if headers.get("ce_type") == ce_type.encode():
            found.append(json.loads(r["value"]))
    return found
