"""Intake: course exports as institutions already write them (OpenVHS, open-Qcat, OOAPI).

The pure core, without I/O beyond the byte stream it is given: detect the format, stream
the document, and yield per record a contract-valid course, a withdrawal, or a refusal
a person at a VHS understands. See README.md for the mapping tables.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from services.intake.detect import SNIFF_BYTES, detect_format
from services.intake.model import (
    Action,
    DocumentHeader,
    FieldError,
    Format,
    ImportedCourse,
    ImportedWithdrawal,
    IntakeDocumentError,
    Limits,
    Message,
    Record,
    Refusal,
    course_code,
    refuse_duplicates,
)
from services.intake.ooapi import read_ooapi
from services.intake.openqcat import read_openqcat
from services.intake.openvhs import read_openvhs

__all__ = [
    "Action",
    "Document",
    "DocumentHeader",
    "FieldError",
    "Format",
    "ImportedCourse",
    "ImportedWithdrawal",
    "IntakeDocumentError",
    "Limits",
    "Message",
    "Record",
    "Refusal",
    "course_code",
    "detect_format",
    "read_document",
    "refuse_duplicates",
]

Parser = Callable[[BinaryIO, str, Limits, list[Message]], Iterator[DocumentHeader | Record]]
_PARSERS: dict[Format, Parser] = {
    Format.OPENVHS: read_openvhs,
    Format.OPENQCAT: read_openqcat,
    Format.OOAPI: read_ooapi,
}


class _Rewound(io.RawIOBase):
    """The sniffed head again, then the rest of the stream, without buffering the whole."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                size = len(self._head)
            piece, self._head = self._head[:size], self._head[size:]
            return piece
        return self._rest.read(size)


@dataclass
class Document:
    """One parsed document: its header, then its records, streamed.

    `records` raises `IntakeDocumentError` at the point a document-level fault shows (a
    truncated file shows at its end): publish nothing before the iterator is exhausted.
    `warnings` (e.g. an encoding repaired) is complete once `records` is.
    """

    header: DocumentHeader
    records: Iterator[Record]
    warnings: list[Message] = field(default_factory=list)


def read_document(
    stream: BinaryIO,
    provider_id: str,
    *,
    format: Format | None = None,
    limits: Limits | None = None,
) -> Document:
    """Detect (unless `format` is given) and start reading; the header is read eagerly."""
    head = stream.read(SNIFF_BYTES)
    chosen = format or detect_format(head)
    warnings: list[Message] = []
    items = _PARSERS[chosen](_Rewound(head, stream), provider_id, limits or Limits(), warnings)  # type: ignore[arg-type]
    first = next(items, None)
    if not isinstance(first, DocumentHeader):
        raise IntakeDocumentError(
            "empty",
            Message("Die Datei enthält keine Kurse.", "The file contains no courses."),
        )

    def records() -> Iterator[Record]:
        for item in items:
            if not isinstance(item, DocumentHeader):
                yield item

    return Document(first, records(), warnings)
