"""An uploaded document: streamed to a temporary file within a size limit, then read whole.

The core streams records; the service keeps what it read (a list of payloads) and decides
only once the iterator is exhausted, because a truncated file shows only at its end.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO

from services.intake import (
    DocumentHeader,
    Format,
    ImportedCourse,
    ImportedWithdrawal,
    Limits,
    Message,
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


@dataclass
class Reading:
    """Everything a document held, sorted by what becomes of it."""

    header: DocumentHeader
    courses: list[ImportedCourse] = field(default_factory=list)
    deletions: list[ImportedWithdrawal] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def read_whole(
    stream: IO[bytes], provider_id: str, format: Format | None, limits: Limits
) -> Reading:
    """Read to the end (blocking: run it in a worker thread). Raises IntakeDocumentError."""
    document = read_document(stream, provider_id, format=format, limits=limits)  # type: ignore[arg-type]
    reading = Reading(document.header)
    for record in refuse_duplicates(document.records):
        if isinstance(record, ImportedCourse):
            reading.courses.append(record)
        elif isinstance(record, ImportedWithdrawal):
            reading.deletions.append(record)
        else:
            reading.refusals.append(record)
    reading.warnings = list(document.warnings)
    return reading
