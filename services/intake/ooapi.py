"""OOAPI v5 (Open Education API) offerings as JSON, read one item at a time.

Accepted: a page of `GET /offerings` (`{"pageSize": …, "items": [offering, …]}`) or a bare
array of offerings. An offering's `course` may be expanded (then its name, description,
level and modeOfDelivery are used) or just an id. Course items without an offering have no
dates and are refused one by one with that reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from services.intake.mapping import (
    CourseDraft,
    finish,
    funding_value,
    language_639_1,
    one_module,
    parse_date,
    parse_int,
    parse_price,
    unreadable,
)
from services.intake.model import (
    DocumentHeader,
    FieldError,
    Format,
    IntakeDocumentError,
    Limits,
    Message,
    Record,
)
from services.intake.reading import DecodingReader

__all__ = ["DEFAULT_EQF_LEVEL", "EQF_OF_LEVEL", "delivery_format", "read_ooapi"]

DEFAULT_EQF_LEVEL = 4
# OOAPI `level` (Dutch/European qualification levels) to EQF, as the NLQF places them.
EQF_OF_LEVEL = {
    "secondary vocational education 1": 1,
    "secondary vocational education 2": 2,
    "secondary vocational education 3": 3,
    "secondary vocational education 4": 4,
    "secondary vocational education": 4,
    "associate degree": 5,
    "bachelor": 6,
    "master": 7,
    "doctoral": 8,
}
_DECODER = json.JSONDecoder()


def delivery_format(modes: list[str]) -> str:
    """`modeOfDelivery`: online and distance-learning are online, hybrid or a mix is blended."""
    lowered = {m.lower() for m in modes}
    online = bool(lowered & {"online", "distance-learning"})
    onsite = bool(lowered & {"on campus", "on-campus", "situated"})
    if "hybrid" in lowered or (online and onsite):
        return "blended"
    return "online" if online else "onsite"


def _lang_value(values: Any, lang: str = "de") -> str | None:
    """A LanguageTypedString array: the German value first, else the first one."""
    if isinstance(values, str):
        return values
    if not isinstance(values, list) or not values:
        return None
    for item in values:
        if isinstance(item, dict) and str(item.get("language", "")).lower().startswith(lang):
            return str(item.get("value") or "") or None
    first = values[0]
    return str(first.get("value") or "") or None if isinstance(first, dict) else None


def _map(item: dict[str, Any], errors: list[FieldError]) -> tuple[str, CourseDraft]:
    expanded = item.get("course")
    course: dict[str, Any] = expanded if isinstance(expanded, dict) else {}
    export_id = str(item.get("offeringId") or (item.get("primaryCode") or {}).get("code") or "")
    title = _lang_value(item.get("name")) or _lang_value(course.get("name")) or ""
    draft: CourseDraft = {
        "title": title,
        "description": _lang_value(item.get("description"))
        or _lang_value(course.get("description")),
        "language": language_639_1(item.get("teachingLanguage") or course.get("teachingLanguage"))
        or "de",
        "target_groups": ["working-age"],
    }
    modes = item.get("modeOfDelivery") or course.get("modeOfDelivery") or []
    draft["format"] = delivery_format(
        [str(m) for m in modes] if isinstance(modes, list) else [str(modes)]
    )
    addresses = item.get("addresses") or course.get("addresses") or []
    address = (
        addresses[0]
        if isinstance(addresses, list) and addresses and isinstance(addresses[0], dict)
        else {}
    )
    if address.get("city"):
        street = " ".join(str(p) for p in (address.get("street"), address.get("streetNumber")) if p)
        located = address.get("geolocation")
        geo: dict[str, Any] = located if isinstance(located, dict) else {}
        draft["location"] = {
            "municipality": address["city"],
            "postcode": address.get("postalCode"),
            "street": street or None,
            "lat": geo.get("latitude"),
            "lon": geo.get("longitude"),
        }
    else:
        draft["location"] = None
    costs = [c for c in item.get("priceInformation") or [] if isinstance(c, dict)]
    total = next(
        (c for c in costs if c.get("costType") == "total costs"), costs[0] if costs else None
    )
    draft["funding"] = sorted(
        {funding_value("stap") for c in costs if c.get("costType") == "STAP eligible"}
    )
    try:
        start = parse_date(item.get("startDate"))
        end = parse_date(item.get("endDate"))
        capacity = parse_int(
            None if item.get("maxNumberStudents") is None else str(item["maxNumberStudents"])
        )
        price = parse_price(
            str(total.get("amount")) if total and total.get("amount") is not None else None
        )
    except (ValueError, TypeError) as error:
        errors.append(
            FieldError(
                "course",
                Message(f"Ein Wert ist ungültig: '{error}'.", f"A value is invalid: '{error}'."),
            )
        )
        return export_id, draft
    if start is None:
        errors.append(
            FieldError(
                "start_date",
                Message(
                    "Kein Beginn (startDate): nur OOAPI-Angebote (offerings) haben Termine, "
                    "Kurse allein nicht.",
                    "No start (startDate): only OOAPI offerings have dates, courses alone do not.",
                ),
            )
        )
    if capacity is None:
        errors.append(
            FieldError(
                "capacity",
                Message(
                    "Die Höchstteilnehmerzahl (maxNumberStudents) fehlt.",
                    "The maximum number of students (maxNumberStudents) is missing.",
                ),
            )
        )
    if price is None:
        errors.append(
            FieldError(
                "price_eur",
                Message(
                    "Der Preis (priceInformation) fehlt.",
                    "The price (priceInformation) is missing.",
                ),
            )
        )
    draft["start_date"] = start.isoformat() if start else None
    last = end or start
    draft["end_date"] = last.isoformat() if last else None
    draft["capacity"] = capacity
    draft["price_eur"] = str(price) if price is not None else None
    ects = course.get("ects") or item.get("ects")
    # One ECTS credit is 25–30 hours of study; the lower bound is used.
    hours = float(ects) * 25 if isinstance(ects, int | float) and ects > 0 else None
    if hours is None and start is not None:
        hours = float(((end or start) - start).days + 1) * 4
    level = str(course.get("level") or item.get("level") or "").lower()
    certificate = "module-certificate" if item.get("resultExpected") else "attendance"
    draft["modules"] = [
        one_module(
            "kurs",
            title or export_id,
            min(hours or 1, 10_000),
            EQF_OF_LEVEL.get(level, DEFAULT_EQF_LEVEL),
            certificate,
        )
    ]
    return export_id, draft


class _JsonStream:
    """Just enough of a streaming JSON reader: one top-level value at a time."""

    def __init__(self, reader: DecodingReader, limits: Limits) -> None:
        self._reader = reader
        self._limits = limits
        self.buffer = ""
        self.pos = 0
        self.line = 1

    def _fill(self) -> bool:
        piece = self._reader.read_text()
        if not piece:
            return False
        self.line += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos :] + piece
        self.pos = 0
        return True

    def skip(self, chars: str = " \t\r\n") -> str:
        """The next significant character (not consumed), or '' at the end."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in chars:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.skip() != char:
            raise _malformed(self.here(), f"'{char}' erwartet", f"expected '{char}'")
        self.pos += 1

    def here(self) -> int:
        return self.line + self.buffer.count("\n", 0, self.pos)

    def value(self) -> Any:
        self.skip()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if len(self.buffer) - self.pos > self._limits.max_record_bytes:
                    raise _malformed(
                        self.here(),
                        "ein Eintrag ist zu groß oder fehlerhaft",
                        "an entry is too large or broken",
                    ) from error
                if not self._fill():
                    raise _truncated(self.here()) from error
                continue
            except (RecursionError, ValueError) as error:
                raise _malformed(
                    self.here(),
                    "zu tief verschachtelt oder Zahl zu groß",
                    "nested too deeply or a number too large",
                ) from error
            if (
                end == len(self.buffer)
                and not isinstance(value, dict | list | str)
                and self._fill()
            ):
                continue  # a number may continue in the next piece
            self.pos = end
            return value


def _malformed(line: int, de: str, en: str) -> IntakeDocumentError:
    return IntakeDocumentError(
        "malformed",
        Message(
            f"Die Datei ist kein gültiges OOAPI-JSON (Zeile {line}): {de}.",
            f"The file is not valid OOAPI JSON (line {line}): {en}.",
        ),
        line=line,
    )


def _truncated(line: int) -> IntakeDocumentError:
    return IntakeDocumentError(
        "truncated",
        Message(
            f"Die Datei endet mitten im Dokument (Zeile {line}). Es wurde nichts übernommen.",
            f"The file ends in the middle of the document (line {line}). Nothing was taken.",
        ),
        line=line,
    )


def _items(stream: _JsonStream) -> Iterator[tuple[int, dict[str, Any]]]:
    stream.expect("[")
    if stream.skip() == "]":
        stream.pos += 1
        return
    while True:
        line = stream.here()
        item = stream.value()
        if not isinstance(item, dict):
            raise _malformed(
                line, "ein Eintrag in items ist kein Objekt", "an entry of items is not an object"
            )
        yield line, item
        following = stream.skip()
        stream.pos += 1
        if following == "]":
            return
        if following != ",":
            raise (
                _truncated(stream.here())
                if following == ""
                else _malformed(stream.here(), "',' oder ']' erwartet", "expected ',' or ']'")
            )


def read_ooapi(
    stream: BinaryIO, provider_id: str, limits: Limits, warnings: list[Message]
) -> Iterator[DocumentHeader | Record]:
    """The header first; a page with `hasNextPage: true` is not a full export."""
    reader = DecodingReader(stream, limits, warnings)
    source = _JsonStream(reader, limits)
    first = source.skip()
    if first == "[":
        yield DocumentHeader(Format.OOAPI, full=True)
        items = _items(source)
    elif first == "{":
        source.expect("{")
        meta: dict[str, Any] = {}
        items = iter(())
        while source.skip() != "}":
            key = source.value()
            source.expect(":")
            if key == "items":
                # A page is full unless a pagination key before `items` says there is more.
                yield DocumentHeader(Format.OOAPI, full=not meta.get("hasNextPage", False))
                items = _items(source)
                break
            meta[str(key)] = source.value()
            if source.skip() == ",":
                source.pos += 1
        else:
            raise _malformed(source.here(), "kein Feld 'items'", "no field 'items'")
    else:
        raise _malformed(1, "weder Objekt noch Liste", "neither an object nor an array")
    for position, (line, item) in enumerate(items, start=1):
        errors: list[FieldError] = []
        path = f"/items/{position - 1}"
        try:
            export_id, draft = _map(item, errors)
        except (ValueError, TypeError, ArithmeticError, AttributeError):
            # JSON may put any type anywhere (`"name": 5`, `"addresses": "Kassel"`).
            yield unreadable(str(item.get("offeringId") or "")[:64] or None, None, line, path)
            continue
        if not export_id:
            errors.append(
                FieldError(
                    "course_id",
                    Message("Die ID (offeringId) fehlt.", "The id (offeringId) is missing."),
                )
            )
        yield finish(provider_id, export_id, draft, line=line, path=path, errors=errors)
    if first == "{":
        _rest_of_object(source)
    if source.skip() != "":
        raise _malformed(source.here(), "nach dem Ende folgt noch etwas", "content after the end")
    reader.finish()


def _rest_of_object(source: _JsonStream) -> None:
    """Keys after `items` (e.g. `ext`) are read and dropped; a missing `}` is a cut file."""
    while True:
        following = source.skip()
        if following == "}":
            source.pos += 1
            return
        if following == "":
            raise _truncated(source.here())
        if following == ",":
            source.pos += 1
            continue
        source.value()
        source.expect(":")
        source.value()
