"""What a service stages in answer: feedback for a refused partner event, dead letters for the
unreadable."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zll_contracts import KafkaRecord
from zll_contracts.field_texts import describe_problem
from zll_contracts.payloads import FeedbackRejected, FieldError, RefusedSubject
from zll_contracts.topics import DLQ

from zll.platform import metrics
from zll.platform.errors import Problem
from zll.platform.kafka import InboundRecord
from zll.platform.unit_of_work import UnitOfWork

_PROVIDER_SOURCE = re.compile(r"^/providers/([a-z0-9-]{2,40})$")


def sender_of(source: str) -> str | None:
    """The provider id in a partner's `ce_source` (`/providers/<id>`), if it has that shape."""
    match = _PROVIDER_SOURCE.match(source)
    return match.group(1) if match else None


def stage_feedback(
    uow: UnitOfWork,
    *,
    provider_id: str,
    original_ce_id: str,
    topic: str,
    problems: Sequence[Problem],
    data: Mapping[str, Any] | None = None,
) -> None:
    """Tell the provider why its event had no effect, naming the course `data` describes."""
    feedback = FeedbackRejected(
        provider_id=provider_id,
        original_ce_id=original_ce_id,
        topic=topic,
        errors=[_field_error(p) for p in problems],
        subject=RefusedSubject.of(data) if data is not None else None,
    )
    uow.publish(feedback, key=provider_id)


def _field_error(problem: Problem) -> FieldError:
    worded = describe_problem(problem.field, problem.message)
    return FieldError(
        field=problem.field,
        message=problem.message[:500],
        message_de=(problem.message_de or worded.de)[:1000],
        message_en=(problem.message_en or worded.en)[:1000],
    )


def stage_dead_letter(
    uow: UnitOfWork, record: InboundRecord, reason: str, service: str, *, kind: str = "unreadable"
) -> None:
    """The original record, unchanged, plus headers saying why and where it came from.

    `kind` is a short, bounded label for the metric (unreadable, unknown-type, bad-source,
    handler-failed, refused); `reason` is the readable text for the operator.
    """
    metrics.DEAD_LETTERS.labels(service, record.topic, kind).inc()
    error_headers = (
        ("zll_error", reason[:1000].encode()),
        ("zll_origin_topic", record.topic.encode()),
        ("zll_origin_partition", str(record.partition).encode()),
        ("zll_origin_offset", str(record.offset).encode()),
        ("zll_service", service.encode()),
    )
    uow.stage(
        DLQ,
        KafkaRecord(
            key=record.key, value=record.value or b"", headers=record.headers + error_headers
        ),
    )
