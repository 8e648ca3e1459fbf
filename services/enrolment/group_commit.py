"""Group commit for the HTTP door: requests that arrive together are decided together.

Each `POST /enrolments` hands its request to a lane and waits. A lane takes everything that
queued while its previous batch was committing and decides it in ONE unit of work through
`ledger.enrol` — the very path the partner consumer's batches take — so a hot course is
locked once per batch instead of once per request, and the transactions a second are no
longer the ceiling.

What a learner gets does not change: each answer is that request's own outcome (confirmed,
or waitlisted at place N, or the refusal), and it is given only after the batch committed,
so a crash can lose no answer that was given. Requests for one course always go to the same
lane, in the order they arrived, so first come stays first served. When a batch fails, each
of its requests is decided again on its own, so one bad request fails only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link

from services.enrolment import ledger
from services.enrolment.config import enrolment_config
from zll.platform.database import Database
from zll.platform.telemetry import tracer

log = logging.getLogger(__name__)
MAX_LINKS = 32


@dataclass(frozen=True, slots=True)
class _Traced:
    """An HTTP request's trace, as the cause of the event announcing its decision."""

    trace_context: Context


@dataclass(frozen=True, slots=True)
class _Waiting:
    request: ledger.Request
    answer: asyncio.Future[ledger.Outcome | None]
    trace_context: Context  # the HTTP request's: its decision event continues this trace

    def link(self) -> Link | None:
        span = trace.get_current_span(self.trace_context).get_span_context()
        return Link(span) if span.is_valid else None


class GroupCommit:
    """Lanes of waiting requests, each decided batch by batch in one transaction."""

    def __init__(
        self, database: Database, *, lanes: int = 4, max_batch: int = 500, window_s: float = 0.0
    ) -> None:
        self._database = database
        self._max_batch = max_batch
        self._window_s = window_s
        self._queues: list[asyncio.Queue[_Waiting]] = [asyncio.Queue() for _ in range(lanes)]
        self.batches = 0  # how many transactions the lanes committed (for tests and metrics)

    async def decide(self, request: ledger.Request) -> ledger.Outcome | None:
        """The request's outcome once committed; None when its enrolment_id was known already
        (a retry, or a twin in the same batch that came first)."""
        answer: asyncio.Future[ledger.Outcome | None] = asyncio.get_running_loop().create_future()
        here = otel_context.get_current()
        waiting = _Waiting(dataclasses.replace(request, cause=_Traced(here)), answer, here)
        self._queues[self._lane(request.course_id)].put_nowait(waiting)
        return await answer

    def _lane(self, course_id: str) -> int:
        return zlib.crc32(course_id.encode()) % len(self._queues)

    async def run(self) -> None:
        """Work every lane until cancelled."""
        async with asyncio.TaskGroup() as lanes:
            for n, queue in enumerate(self._queues):
                lanes.create_task(self._run_lane(queue), name=f"enrolment-group-commit-{n}")

    async def _run_lane(self, queue: asyncio.Queue[_Waiting]) -> None:
        while True:
            batch = [await queue.get()]
            if self._window_s:
                await asyncio.sleep(self._window_s)  # let a burst gather
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._decide_batch(batch)
            finally:  # stopped half-way: nobody waits for an answer that will not come
                for waiting in batch:
                    waiting.answer.cancel()

    async def _decide_batch(self, batch: Sequence[_Waiting]) -> None:
        try:
            outcomes = await self._commit(batch)
        except Exception as error:  # answered below, one request at a time
            if len(batch) == 1:
                _fail(batch[0].answer, error)
                return
            log.warning("a batch of %d HTTP enrolments failed; deciding each alone", len(batch))
            for waiting in batch:
                await self._decide_batch([waiting])
            return
        by_id = {outcome.enrolment_id: outcome for outcome in outcomes}
        for waiting in batch:
            # A twin later in the batch (the same Idempotency-Key at once) gets None: it
            # answers with the first one's enrolment as stored, like any retry.
            _answer(waiting.answer, by_id.pop(waiting.request.enrolment_id, None))

    async def _commit(self, batch: Sequence[_Waiting]) -> list[ledger.Outcome]:
        # The batch's span continues the first request's trace and links the next ones' (a
        # bounded number: each decision's event continues its own request's trace anyway).
        links = [link for w in batch[1:MAX_LINKS] if (link := w.link()) is not None]
        with tracer.start_as_current_span(
            "enrolment group commit",
            context=batch[0].trace_context,
            links=links,
            attributes={"zll.batch.size": len(batch)},
        ):
            async with self._database.unit_of_work() as uow:
                outcomes = await ledger.enrol(
                    uow, [w.request for w in batch], datetime.now(UTC).date()
                )
        self.batches += 1
        return outcomes


def _answer(answer: asyncio.Future[ledger.Outcome | None], outcome: ledger.Outcome | None) -> None:
    if not answer.done():  # the caller may have gone (its request was cancelled)
        answer.set_result(outcome)


def _fail(answer: asyncio.Future[ledger.Outcome | None], error: Exception) -> None:
    if not answer.done():
        answer.set_exception(error)


def configured(database: Database) -> GroupCommit:
    config = enrolment_config()
    return GroupCommit(
        database,
        lanes=config.http_batch_lanes,
        max_batch=config.http_batch_max,
        window_s=config.http_batch_window_ms / 1000,
    )


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[None]:
    """The app's group commit, working while the app runs (a lifespan part)."""
    group = configured(app.state.database)
    app.state.group_commit = group
    task = asyncio.create_task(group.run(), name="enrolment-group-commit")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _group_commit(request: Request) -> GroupCommit:
    found: GroupCommit = request.app.state.group_commit
    return found


Door = Annotated[GroupCommit, Depends(_group_commit)]
"""A route's parameter `door: Door` decides its enrolment in the next batch."""
