"""An uploaded document: streamed to a temporary file within a size limit, then read whole.

The core streams records; the service stages the courses in a temporary file and decides
only once the iterator is exhausted, because a truncated file shows only at its end.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from services.intake import (
    DocumentHeader,
    Format,
    ImportedCourse,
    ImportedWithdrawal,
    Limits,
    Message,
    Record,
    Refusal,
    read_document,
    refuse_duplicates,
)

# Small uploads stay in memory; larger ones go to disk, never whole into memory.
_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The body is larger than the limit: answered 413, nothing read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


async def spool(body: AsyncIterator[bytes], limit: int) -> IO[bytes]:
    """The request body in a temporary file, rewound; TooLarge beyond `limit` bytes."""
    spooled = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 (returned)
    size = 0
    async for chunk in body:
        size += len(chunk)
        if size > limit:
            spooled.close()
            raise TooLarge(limit)
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


class StagedCourses:
    """The courses of a document in a temporary file, one JSON line each, not in memory.

    Read once to the end before anything is decided (a truncated file shows only there),
    then iterated again to compare and publish: memory stays flat however long the file.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._count = 0

    def append(self, course: ImportedCourse) -> None:
        line = [
            course.code,
            course.export_id,
            course.payload_without_revision,
            course.source_line,
            course.path,
        ]
        self._file.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ImportedCourse]:
        self._file.seek(0)
        for line in self._file:
            yield ImportedCourse(*json.loads(line))

    def close(self) -> None:
        self._file.close()


@dataclass
class Reading:
    """Everything a document held, sorted by what becomes of it."""

    header: DocumentHeader
    courses: StagedCourses = field(default_factory=StagedCourses)
    deletions: list[ImportedWithdrawal] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def read_whole(
    stream: IO[bytes], provider_id: str, format: Format | None, limits: Limits
) -> Reading:
    """Read to the end (blocking: run it in a worker thread). Raises IntakeDocumentError."""
    document = read_document(stream, provider_id, format=format, limits=limits)  # type: ignore[arg-type]
    reading = Reading(document.header)
    try:
        _sort(reading, document.records)
    except BaseException:
        reading.courses.close()
        raise
    reading.warnings = list(document.warnings)
    return reading


def _sort(reading: Reading, records: Iterable[Record]) -> None:
    for record in refuse_duplicates(records):
        if isinstance(record, ImportedCourse):
            reading.courses.append(record)
        elif isinstance(record, ImportedWithdrawal):
            reading.deletions.append(record)
        else:
            reading.refusals.append(record)
