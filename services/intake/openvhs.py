"""OpenVHS 1.2 (the DVV's export for the vhs-Kursfinder): one `veranstaltung` per course."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

from services.intake.mapping import (
    CourseDraft,
    finish,
    funding_value,
    one_module,
    parse_date,
    parse_int,
    parse_price,
    target_groups,
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
from services.intake.reading import iter_xml, local_name

__all__ = ["DEFAULT_EQF_LEVEL", "HOURS_PER_UNIT", "read_openvhs"]

# OpenVHS has no EQF level; general adult education sits at EQF 2 unless a provider says
# otherwise (README: "Derived fields").
DEFAULT_EQF_LEVEL = 2
# `dauer` counts Unterrichtseinheiten of 45 minutes (the DVV example: 5 evenings of
# 18:30–21:00 with a break are 15.0).
HOURS_PER_UNIT = 0.75
_FORMATS = {
    "online_angebot": "online",
    "selbstlernangebot": "online",
    "blended_learning": "blended",
}
_WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
_DAY_NAMES = {
    "montag": "Mo", "dienstag": "Di", "mittwoch": "Mi", "donnerstag": "Do",
    "freitag": "Fr", "samstag": "Sa", "sonntag": "So",
}  # fmt: skip


def _children(element: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for child in element:
        found.setdefault(local_name(child.tag), []).append(child)
    return found


def _text(element: Any | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def _first(children: dict[str, list[Any]], name: str) -> str | None:
    return _text(children[name][0]) if children.get(name) else None


def _error(field: str, de: str, en: str) -> FieldError:
    return FieldError(field, Message(de, en))


def _time(raw: str | None) -> str | None:
    return raw[:5] if raw and len(raw) >= 5 else None


def _schedule(termine: list[dict[str, list[Any]]], weekdays: list[str]) -> str | None:
    slots: list[str] = []
    for termin in termine:
        day = parse_date(_first(termin, "beginn_datum"))
        start, end = _time(_first(termin, "beginn_uhrzeit")), _time(_first(termin, "ende_uhrzeit"))
        if day is None or start is None:
            continue
        slot = f"{_WEEKDAYS[day.weekday()]} {start}" + (f"–{end}" if end else "")
        if slot not in slots:
            slots.append(slot)
    if not slots and weekdays:
        slots = [_DAY_NAMES.get(day.strip().lower(), day.strip()) for day in weekdays]
    if not slots:
        return None
    text = ", ".join(slots)
    if termine:
        text += f" ({len(termine)} Termine)"
    return text[:500]


def _hours_of(termine: list[dict[str, list[Any]]]) -> float:
    total = 0.0
    for termin in termine:
        start, end = _time(_first(termin, "beginn_uhrzeit")), _time(_first(termin, "ende_uhrzeit"))
        if start and end:
            begin = datetime.strptime(start, "%H:%M")
            finish_at = datetime.strptime(end, "%H:%M")
            total += max(0.0, (finish_at - begin).total_seconds() / 3600)
    return total


def _map(element: Any, errors: list[FieldError]) -> tuple[str, CourseDraft]:
    fields = _children(element)
    export_id = _first(fields, "guid") or _first(fields, "nummer") or ""
    title = _first(fields, "name") or ""
    draft: CourseDraft = {"title": title, "language": "de"}
    if not export_id:
        errors.append(_error("course_id", "Die Kurs-ID (guid) fehlt.", "The course id is missing."))

    subtitles = [s for s in (_text(e) for e in fields.get("untertitel", [])) if s]
    # A `text` block holds `eigenschaft` (its kind) and the `text` itself.
    blocks = [
        s for s in (_first(_children(e), "text") or _text(e) for e in fields.get("text", [])) if s
    ]
    extra = [s for s in subtitles if s not in title]
    description = "\n\n".join(extra + blocks)
    draft["description"] = description or None

    kind = "onsite"
    funding: list[str] = []
    for merkmale in fields.get("merkmale", []):
        for merkmal in merkmale:
            parts = _children(merkmal)
            name, value = (_first(parts, "name") or "").lower(), (_first(parts, "wert") or "")
            if name == "kursart_digital":
                kind = _FORMATS.get(value.lower(), "onsite")
            elif "bildungsurlaub" in name and value.lower() == "true":
                funding.append("bildungsurlaub")
    draft["format"] = kind
    # VHS programmes mark Bildungsurlaub in the title as "(BU)" or in words.
    lowered = " ".join([title, *subtitles]).lower()
    if "bildungsurlaub" in lowered or "(bu)" in lowered:
        funding.append(funding_value("bildungsurlaub"))
    draft["funding"] = sorted(set(funding))
    draft["target_groups"] = target_groups(
        [t for t in (_text(e) for e in fields.get("zielgruppe", [])) if t]
    )

    termine = [_children(t) for t in fields.get("termin", [])]
    start: date | None = None
    end: date | None = None
    try:
        start = parse_date(_first(fields, "beginn_datum"))
        end = parse_date(_first(fields, "ende_datum"))
        if end is None and termine:
            end = parse_date(_first(termine[-1], "beginn_datum"))
        draft["schedule"] = _schedule(
            termine, [w for w in (_text(e) for e in fields.get("wochentag", [])) if w]
        )
    except ValueError as error:
        errors.append(
            _error(
                "start_date",
                f"Ein Datum ist ungültig: '{error}' (erwartet JJJJ-MM-TT).",
                f"A date is invalid: '{error}' (expected YYYY-MM-DD).",
            )
        )
    if start is None and not errors:
        errors.append(_error("start_date", "Das Beginndatum fehlt.", "The start date is missing."))
    draft["start_date"] = start.isoformat() if start else None
    # A course with one date only ends on the day it starts.
    last = end or start
    draft["end_date"] = last.isoformat() if last else None

    try:
        capacity = parse_int(_first(fields, "maximale_teilnehmerzahl"))
        units = parse_price(_first(fields, "dauer"))
        price_element = fields.get("preis", [None])[0]
        price = (
            parse_price(_first(_children(price_element), "betrag"))
            if price_element is not None
            else None
        )
    except ValueError as error:
        errors.append(
            _error(
                "course", f"Eine Zahl ist ungültig: '{error}'.", f"A number is invalid: '{error}'."
            )
        )
        return export_id, draft
    if capacity is None:
        errors.append(
            _error(
                "capacity",
                "Die Höchstteilnehmerzahl (maximale_teilnehmerzahl) fehlt.",
                "The maximum number of participants (maximale_teilnehmerzahl) is missing.",
            )
        )
    if price is None:
        errors.append(
            _error(
                "price_eur",
                "Der Preis (preis/betrag) fehlt.",
                "The price (preis/betrag) is missing.",
            )
        )
    draft["capacity"], draft["price_eur"] = capacity, str(price) if price is not None else None

    hours = float(units) * HOURS_PER_UNIT if units else _hours_of(termine)
    if hours <= 0:
        errors.append(
            _error(
                "workload_hours",
                "Der Umfang fehlt: weder 'dauer' noch Termine mit Uhrzeiten.",
                "The extent is missing: neither 'dauer' nor dates with times.",
            )
        )
    certificate = "module-certificate" if fields.get("zertifikat") else "attendance"
    draft["modules"] = [
        one_module("kurs", title or export_id, max(hours, 0.01), DEFAULT_EQF_LEVEL, certificate)
    ]

    venue = fields.get("veranstaltungsort", [None])[0]
    address = (
        _children(_children(venue).get("adresse", [None])[0])
        if venue is not None and _children(venue).get("adresse")
        else {}
    )
    town = _first(address, "ort")
    draft["location"] = (
        {
            "municipality": town,
            "postcode": _first(address, "plz"),
            "street": _first(address, "strasse"),
        }
        if town
        else None
    )
    return export_id, draft


def read_openvhs(
    stream: BinaryIO, provider_id: str, limits: Limits, warnings: list[Message]
) -> Iterator[DocumentHeader | Record]:
    """The header first (an OpenVHS export is always the whole programme), then the courses."""
    header_sent = False
    about: dict[str, str | None] = {}
    position = 0
    for event, element in iter_xml(stream, limits, warnings):
        name = local_name(element.tag)
        parent = element.getparent()
        if event == "start":
            if parent is None and name != "veranstaltungen":
                raise IntakeDocumentError(
                    "wrong_format",
                    Message(
                        f"Das Wurzelelement ist '{name}', nicht openvhs:veranstaltungen.",
                        f"The root element is '{name}', not openvhs:veranstaltungen.",
                    ),
                    line=element.sourceline,
                )
            if name == "veranstaltung" and not header_sent:
                header_sent = True
                yield DocumentHeader(Format.OPENVHS, full=True, **about)
            continue
        if parent is None:
            continue  # the root's end; iter_xml still reads to the end of the file
        if name == "export" and parent.getparent() is None:
            fields = _children(element)
            maker = _children(fields["ersteller"][0]) if fields.get("ersteller") else {}
            about = {
                "created_at": _first(fields, "erstellungszeitpunkt"),
                "creator": _first(maker, "name"),
                "creator_id": _first(maker, "guid"),
            }
        elif name == "veranstaltung" and parent.getparent() is None:
            position += 1
            errors: list[FieldError] = []
            path = f"/veranstaltungen/veranstaltung[{position}]"
            try:
                export_id, draft = _map(element, errors)
            except (ValueError, TypeError, ArithmeticError):
                fields = _children(element)
                yield unreadable(
                    _first(fields, "guid"), _first(fields, "name"), element.sourceline, path
                )
            else:
                yield finish(
                    provider_id, export_id, draft, line=element.sourceline, path=path, errors=errors
                )
        else:
            continue
        # Constant memory: drop what is done, including the references the root keeps.
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
    if not header_sent:
        yield DocumentHeader(Format.OPENVHS, full=True, **about)
