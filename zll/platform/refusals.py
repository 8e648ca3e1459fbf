"""What a service answers: feedback for a refused partner event, dead letters for the unreadable."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zll_contracts import KafkaRecord
from zll_contracts.topics import DLQ, FEEDBACK

from zll.platform import metrics
from zll.platform.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from zll_contracts.payloads import FieldError

FEEDBACK_TYPE = "zll.feedback.rejected.v1"
_PROVIDER_SOURCE = re.compile(r"^/providers/([a-z0-9-]{2,40})$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: which field, and why, in words a partner's developer can act on."""

    field: str
    message: str
    # The same for a person at the provider's desk, when the rule that found it words it so
    # (the contract's validation does); otherwise stage_feedback names the field at least.
    message_de: str | None = None
    message_en: str | None = None


class Refused(Exception):
    """Raised by a handler when a partner's event breaks a rule: no effect, feedback instead."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = list(problems)

    @classmethod
    def because(cls, field: str, message: str) -> Refused:
        return cls([Problem(field, message)])


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A consumed Kafka record with where it came from."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


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
    from zll_contracts.payloads import FeedbackRejected, RefusedSubject

    feedback = FeedbackRejected(
        provider_id=provider_id,
        original_ce_id=original_ce_id,
        topic=topic,
        errors=[_field_error(p) for p in problems],
        subject=RefusedSubject.of(data) if data is not None else None,
    )
    uow.publish(FEEDBACK, FEEDBACK_TYPE, feedback, key=provider_id)


def _field_error(problem: Problem) -> FieldError:
    from zll_contracts.field_texts import describe_problem
    from zll_contracts.payloads import FieldError

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
