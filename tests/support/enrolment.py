"""Events on the enrolment service's topics, applied in-process through its real wiring."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from fastapi import APIRouter, FastAPI

from services.enrolment.app import DEFINITION
from tests.support.partner import PROVIDER, course
from zll.platform import testing
from zll.platform.auth import Role, mint_token
from zll.platform.database import Database
from zll.platform.kafka import InboundRecord
from zll.platform.problems import install_problem_handlers
from zll.platform.settings import Settings

__all__ = ["PROVIDER", "Feed", "events", "routes", "signed_in"]


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

    def completion(
        self, course_id: str, enrolment_id: str, modules: Sequence[str], *, sender: str = PROVIDER
    ) -> InboundRecord:
        """The provider reports which modules a learner passed."""
        done = {
            "enrolment_id": enrolment_id,
            "modules_passed": list(modules),
            "completed_at": datetime.now(UTC).isoformat(),
        }
        return self.partner("zll.enrolment.completed.v1", done, key=course_id, sender=sender)

    async def complete(self, course_id: str, learner: str, modules: Sequence[str]) -> str:
        """The learner enrols and the course's provider reports the modules passed; the
        enrolment's id."""
        enrolment_id, provider = str(uuid.uuid4()), course_id.split(":")[0]
        await self.apply(
            self.request(course_id, learner, enrolment_id=enrolment_id, sender=provider)
        )
        await self.apply(self.completion(course_id, enrolment_id, modules, sender=provider))
        return enrolment_id


async def events(pool: asyncpg.Pool, ce_type: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT value, header_names, header_values FROM outbox ORDER BY id")
    found = []
    for r in rows:
        headers = dict(zip(r["header_names"], r["header_values"], strict=True))
        if headers.get("ce_type") == ce_type.encode():
            found.append(json.loads(r["value"]))
    return found


@contextlib.asynccontextmanager
async def routes(
    pool: asyncpg.Pool, *routers: APIRouter, **state: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The enrolment service's `routers` run in-process on `pool`: a client, no server.

    `state` adds to the app's state (e.g. `evidence_fetch`, the door to the outside web).
    """
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app)
    app.state.database = Database(pool, "/services/enrolment")
    app.state.settings = Settings()
    for name, value in state.items():
        setattr(app.state, name, value)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://zll") as client:
        yield client


def signed_in(role: Role, sub: str, language: str | None = None) -> dict[str, str]:
    """The headers of a caller signed in as `role` `sub`, reading `language` if given."""
    headers = {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}
    if language:
        headers["Accept-Language"] = language
    return headers
