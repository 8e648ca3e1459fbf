"""open-Qcat 1.1 (KURSNET's upload format): full catalogues and updates of SERVICE entries."""

from __future__ import annotations

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
    target_groups,
    unreadable,
)
from services.intake.model import (
    DocumentHeader,
    FieldError,
    Format,
    ImportedWithdrawal,
    IntakeDocumentError,
    Limits,
    Message,
    Record,
    course_code,
)
from services.intake.reading import iter_xml, local_name

__all__ = ["DEFAULT_EQF_LEVEL", "HOURS_PER_DAY", "format_of", "read_openqcat"]

# open-Qcat has no EQF element; KURSNET's offers are vocational further training, which
# sits at EQF 4 unless the course says otherwise (README: "Derived fields").
DEFAULT_EQF_LEVEL = 4
# Without INSTRUCTION_TIME the workload is estimated from the calendar: 4 hours a day.
HOURS_PER_DAY = 4.0
_ONLINE_WORDS = ("online", "fern", "e-learning", "virtuell", "webinar", "distance")
_BLENDED_WORDS = ("blended", "hybrid", "kombin")
_CONTAINERS = {"NEW_CATALOG", "NEW", "UPDATE", "DELETE"}
# Angebote (EDUCATION type="true" without dates) lend title and text to their Veranstaltungen.
_TEMPLATE_FIELDS = ("title", "description", "target_groups", "funding", "language")


def _text(element: Any, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


def _texts(element: Any, path: str) -> list[str]:
    return [v for v in ("".join(e.itertext()).strip() for e in element.findall(path)) if v]


def format_of(instruction_form: str | None, has_location: bool) -> str:
    """INSTRUCTION_FORM(_NAME) as words; KURSNET's numeric codes fall back to the venue."""
    lowered = (instruction_form or "").lower()
    if any(word in lowered for word in _BLENDED_WORDS):
        return "blended"
    if any(word in lowered for word in _ONLINE_WORDS):
        return "online"
    if lowered and not lowered.isdigit():
        return "onsite"
    return "onsite" if has_location else "online"


def _error(field: str, de: str, en: str) -> FieldError:
    return FieldError(field, Message(de, en))


def _map(service: Any, errors: list[FieldError]) -> tuple[str, CourseDraft, str | None]:
    """A draft course; the third value is the COURSE_ID of the Angebot it belongs to."""
    export_id = _text(service, "PRODUCT_ID") or ""
    draft: CourseDraft = {}
    title = _text(service, ".//SERVICE_DETAILS/TITLE")
    if title:
        draft["title"] = title
    description = _text(service, ".//DESCRIPTION_LONG")
    if description:
        draft["description"] = description
    groups = _texts(service, ".//TARGET_GROUP/TARGET_GROUP_TEXT")
    if groups:
        draft["target_groups"] = target_groups(groups)
    funding = [funding_value(t) for t in _texts(service, ".//FUNDING_TYPES_FEDERAL")]
    funding += [funding_value(t) for t in _texts(service, ".//FUNDING_TYPES_REGIONAL")]
    if _text(service, ".//MEASURE_NUMBER"):
        # An AZAV measure number is what makes a course payable by Bildungsgutschein.
        funding += ["azav", "bildungsgutschein"]
    if funding:
        draft["funding"] = sorted(set(funding))
    language = language_639_1(
        _text(service, ".//EDUCATION/LANGUAGE") or _text(service, ".//TEACHING_LANGUAGES")
    )
    if language:
        draft["language"] = language

    town = _text(service, ".//MODULE_COURSE/LOCATION/CITY")
    location = (
        {
            "municipality": town,
            "postcode": _text(service, ".//MODULE_COURSE/LOCATION/ZIP"),
            "street": _text(service, ".//MODULE_COURSE/LOCATION/STREET"),
        }
        if town
        else None
    )
    form = _text(service, ".//INSTRUCTION_FORM_NAME") or _text(service, ".//INSTRUCTION_FORM")
    draft["format"] = format_of(form, location is not None)
    draft["location"] = location
    draft["schedule"] = (_text(service, ".//SERVICE_DATE/DATE_REMARKS") or "")[:500] or None

    start = end = None
    try:
        start = parse_date(_text(service, ".//SERVICE_DATE/START_DATE"))
        end = parse_date(_text(service, ".//SERVICE_DATE/END_DATE"))
        capacity = parse_int(_text(service, ".//MODULE_COURSE/MAX_PARTICIPANTS"))
        price = parse_price(_text(service, ".//SERVICE_PRICE_DETAILS/SERVICE_PRICE/PRICE_AMOUNT"))
        hours = parse_price(_text(service, ".//INSTRUCTION_TIME"))
    except ValueError as error:
        errors.append(
            _error(
                "course",
                f"Ein Wert ist ungültig: '{error}' (Datum als JJJJ-MM-TT, Zahlen mit Punkt).",
                f"A value is invalid: '{error}' (dates as YYYY-MM-DD, numbers with a dot).",
            )
        )
        return export_id, draft, _text(service, ".//EDUCATION/COURSE_ID")
    draft["start_date"] = start.isoformat() if start else None
    last = end or start
    draft["end_date"] = last.isoformat() if last else None
    draft["capacity"] = capacity
    draft["price_eur"] = str(price) if price is not None else None
    if hours is None and start is not None:
        hours_estimate = ((end or start) - start).days + 1
        workload = float(max(1, hours_estimate)) * HOURS_PER_DAY
    else:
        workload = float(hours or 0)
    degree = (_text(service, ".//DEGREE/DEGREE_TITLE") or "").lower()
    certificate = (
        "state-recognised"
        if "staatlich" in degree
        else "module-certificate"
        if degree and "keine angabe" not in degree
        else "attendance"
    )
    draft["modules"] = [
        one_module(
            "kurs", title or export_id, min(workload, 10_000), DEFAULT_EQF_LEVEL, certificate
        )
    ]
    return export_id, draft, _text(service, ".//EDUCATION/COURSE_ID")


def _complete(draft: CourseDraft, errors: list[FieldError]) -> None:
    for key, de, en in (
        ("title", "Der Titel (TITLE) fehlt.", "The title (TITLE) is missing."),
        (
            "start_date",
            "Das Beginndatum (SERVICE_DATE/START_DATE) fehlt.",
            "The start date is missing.",
        ),
        (
            "capacity",
            "Die Höchstteilnehmerzahl (MAX_PARTICIPANTS) fehlt.",
            "The maximum number of participants is missing.",
        ),
        ("price_eur", "Der Preis (PRICE_AMOUNT) fehlt.", "The price (PRICE_AMOUNT) is missing."),
    ):
        if draft.get(key) is None:
            errors.append(_error(key, de, en))
    draft.setdefault("language", "de")
    draft.setdefault("funding", [])
    draft.setdefault("target_groups", ["working-age"])
    for module in draft.get("modules", []):
        module["title"] = (draft.get("title") or module["title"])[:200]
        if module["workload_hours"] <= 0:
            errors.append(
                _error(
                    "workload_hours",
                    "Der Stundenumfang (INSTRUCTION_TIME) ist 0.",
                    "The hours (INSTRUCTION_TIME) are 0.",
                )
            )


def _course_of(
    service: Any, templates: dict[str, CourseDraft], provider_id: str, line: int, path: str
) -> Record | None:
    """A Veranstaltung or standalone SERVICE as a course; an Angebot is kept as template."""
    errors: list[FieldError] = []
    export_id, draft, angebot = _map(service, errors)
    dated = draft.get("start_date") is not None
    if not dated and not errors and service.find(".//EDUCATION[@type='true']") is not None:
        template = {k: draft[k] for k in _TEMPLATE_FIELDS if k in draft}
        template["certificate"] = draft["modules"][0]["certificate"]
        templates[export_id] = template
        return None
    template = dict(templates.get(angebot or "", {}))
    certificate = template.pop("certificate", "attendance")
    for key, value in template.items():
        draft.setdefault(key, value)
    modules = draft.get("modules") or [{}]
    if modules[0].get("certificate") == "attendance":
        modules[0]["certificate"] = certificate
    _complete(draft, errors)
    return finish(provider_id, export_id, draft, line=line, path=path, errors=errors)


def read_openqcat(
    stream: BinaryIO, provider_id: str, limits: Limits, warnings: list[Message]
) -> Iterator[DocumentHeader | Record]:
    """The header (full or update catalogue) first, then one record per SERVICE."""
    header: DocumentHeader | None = None
    catalog_id: str | None = None
    created_at: str | None = None
    creator: str | None = None
    creator_id: str | None = None
    counts: dict[str, int] = {}
    templates: dict[str, CourseDraft] = {}
    for event, element in iter_xml(stream, limits, warnings):
        name = local_name(element.tag)
        parent = element.getparent()
        if event == "start":
            if parent is None and name != "OPENQCAT":
                raise IntakeDocumentError(
                    "wrong_format",
                    Message(
                        f"Das Wurzelelement ist '{name}', nicht OPENQCAT.",
                        f"The root element is '{name}', not OPENQCAT.",
                    ),
                    line=element.sourceline,
                )
            if name in ("NEW_CATALOG", "UPDATE_CATALOG") and header is None:
                full = name == "NEW_CATALOG" and element.get("FULLCATALOG", "").lower() in (
                    "true",
                    "1",
                )
                header = DocumentHeader(
                    Format.OPENQCAT,
                    full=full,
                    created_at=created_at,
                    creator=creator,
                    catalog_id=catalog_id,
                    creator_id=creator_id,
                )
                yield header
            continue
        if parent is None:
            continue  # the root's end; iter_xml still reads to the end of the file
        if name == "HEADER" and parent.getparent() is None:
            catalog_id = _text(element, "CATALOG/CATALOG_ID")
            created_at = _text(element, "CATALOG/GENERATION_DATE")
            creator = _text(element, "SUPPLIER/SUPPLIER_NAME")
            creator_id = _text(element, "SUPPLIER/SUPPLIER_ID")
        elif name == "SERVICE" and local_name(parent.tag) in _CONTAINERS:
            container = local_name(parent.tag)
            counts[container] = counts.get(container, 0) + 1
            catalog = "" if container == "NEW_CATALOG" else "UPDATE_CATALOG/"
            path = f"/OPENQCAT/{catalog}{container}/SERVICE[{counts[container]}]"
            line = element.sourceline
            if container == "DELETE":
                export_id = _text(element, "PRODUCT_ID") or ""
                yield ImportedWithdrawal(course_code(export_id), export_id, line, path)
            else:
                try:
                    record = _course_of(element, templates, provider_id, line, path)
                except (ValueError, TypeError, ArithmeticError):
                    record = unreadable(
                        _text(element, "PRODUCT_ID"),
                        _text(element, ".//SERVICE_DETAILS/TITLE"),
                        line,
                        path,
                    )
                if record is not None:
                    yield record
        else:
            continue
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
    if header is None:
        raise IntakeDocumentError(
            "wrong_format",
            Message(
                "Die Datei enthält weder NEW_CATALOG noch UPDATE_CATALOG.",
                "The file contains neither NEW_CATALOG nor UPDATE_CATALOG.",
            ),
        )
