"""What an import yields: courses, withdrawals and refusals, each traceable to a file line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Action",
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
    "refuse_duplicates",
]

_CODE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_CODE_MAX = 64
_HASH_LEN = 8


class Format(StrEnum):
    """The export formats the region takes as they come out of a provider's system."""

    OPENVHS = "openvhs"
    OPENQCAT = "openqcat"
    OOAPI = "ooapi"


class Action(StrEnum):
    """What a record asks for: open-Qcat update catalogues can delete, the others only state."""

    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True)
class Message:
    """One sentence in German (the default) and English, for a person at a VHS desk."""

    de: str
    en: str

    def text(self, lang: str = "de") -> str:
        return self.en if lang.startswith("en") else self.de


@dataclass(frozen=True)
class Limits:
    """Bounds on an untrusted document; anything beyond them is refused as a whole."""

    max_bytes: int = 256 * 1024 * 1024
    max_depth: int = 48
    max_prolog_bytes: int = 64 * 1024
    max_record_bytes: int = 4 * 1024 * 1024


class IntakeDocumentError(Exception):
    """The document as a whole cannot be taken: nothing of it may be published."""

    def __init__(self, kind: str, message: Message, *, line: int | None = None) -> None:
        super().__init__(message.en)
        self.kind = kind
        self.message = message
        self.line = line

    @property
    def too_large(self) -> bool:
        """The service answers 413 for these and 422 for every other kind."""
        return self.kind == "too_large"


@dataclass(frozen=True)
class DocumentHeader:
    """What the document says about itself, known before its first course."""

    format: Format
    # A full export is authoritative: a course of the same feed absent from it is withdrawn.
    full: bool
    created_at: str | None = None
    creator: str | None = None
    catalog_id: str | None = None
    # The exporting institution's own id (OpenVHS `ersteller/guid`, open-Qcat `SUPPLIER_ID`):
    # the service can compare it with the feed's provider to catch another provider's file.
    creator_id: str | None = None


@dataclass(frozen=True)
class FieldError:
    """One broken field of one record."""

    field: str
    message: Message


@dataclass(frozen=True)
class ImportedCourse:
    """A record that is a valid `zll.course.upserted.v1` once the service adds a revision."""

    code: str
    export_id: str
    payload_without_revision: dict[str, Any]
    source_line: int | None
    path: str
    action: Action = Action.UPSERT


@dataclass(frozen=True)
class ImportedWithdrawal:
    """An open-Qcat DELETE entry: the course with this code is to be withdrawn."""

    code: str
    export_id: str
    source_line: int | None
    path: str
    action: Action = Action.DELETE


@dataclass(frozen=True)
class Refusal:
    """A record that cannot be taken, and why, in words the provider understands."""

    export_id: str | None
    title: str | None
    source_line: int | None
    path: str
    errors: tuple[FieldError, ...] = field(default_factory=tuple)

    def text(self, lang: str = "de") -> str:
        """E.g. `Kurs 'Excel' (Zeile 42): Das Enddatum liegt vor dem Beginn.`"""
        english = lang.startswith("en")
        name = self.title or self.export_id or ("without title" if english else "ohne Titel")
        where = (
            f" ({'line' if english else 'Zeile'} {self.source_line})" if self.source_line else ""
        )
        details = " ".join(error.message.text(lang) for error in self.errors)
        return f"{'Course' if english else 'Kurs'} '{name}'{where}: {details}"


Record = ImportedCourse | ImportedWithdrawal | Refusal


def course_code(export_id: str) -> str:
    """The export's own id as a contract code `[A-Za-z0-9._-]{1,64}`, stable across imports.

    An id that already fits is kept as it is. Any other id gets its foreign characters
    replaced and a hash of the *original* id appended, so two ids that differ only in
    replaced characters (`A/1` and `A 1`) never meet in one code.
    """
    cleaned = _CODE_CHARS.sub("-", export_id.strip())
    if cleaned == export_id and 0 < len(cleaned) <= _CODE_MAX:
        return cleaned
    digest = hashlib.sha256(export_id.encode("utf-8")).hexdigest()[:_HASH_LEN]
    return f"{cleaned[: _CODE_MAX - _HASH_LEN - 1]}-{digest}".lstrip("-") or digest


def refuse_duplicates(records: Iterable[Record]) -> Iterator[Record]:
    """The second record with an already seen code is refused, not silently merged.

    Kept apart from the parsers so that they stay constant in memory; the service needs
    the set of codes anyway to withdraw what a full export no longer contains.
    """
    seen: set[str] = set()
    for record in records:
        if isinstance(record, ImportedCourse | ImportedWithdrawal):
            if record.code in seen:
                title = (
                    record.payload_without_revision.get("title")
                    if isinstance(record, ImportedCourse)
                    else None
                )
                yield Refusal(
                    record.export_id,
                    title,
                    record.source_line,
                    record.path,
                    (
                        FieldError(
                            "course_id",
                            Message(
                                f"Die Kurs-ID '{record.export_id}' kommt in der Datei mehrfach "
                                "vor; nur der erste Eintrag wurde übernommen.",
                                f"The course id '{record.export_id}' appears more than once in "
                                "the file; only the first entry was taken.",
                            ),
                        ),
                    ),
                )
                continue
            seen.add(record.code)
        yield record
