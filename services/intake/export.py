"""The region's catalogue back out: open-Qcat 1.1 for KURSNET, OOAPI v5 objects for the rest.

Input is a course as the contract states it (`CoursePublished` / `CourseUpserted` as a
dict). What the target format cannot carry (EQF level, ESCO skills, several modules) is
left out of open-Qcat and goes into OOAPI's `ext`; README.md lists it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, BinaryIO

from lxml import etree

from services.intake.mapping import TARGET_LABELS, language_639_2

__all__ = [
    "INSTRUCTION_FORMS",
    "ooapi_course",
    "ooapi_offering",
    "ooapi_page",
    "write_openqcat",
]

# Written as words, which open-Qcat's reader (and a person) understands without a code list.
INSTRUCTION_FORMS = {
    "onsite": "Präsenzunterricht",
    "online": "Online-Unterricht",
    "blended": "Blended Learning",
}
DEGREE_TITLES = {
    "module-certificate": "Zertifikat des Anbieters",
    "state-recognised": "staatlich anerkannter Abschluss",
}
MODES_OF_DELIVERY = {"onsite": ["situated"], "online": ["online"], "blended": ["hybrid"]}
_NAMESPACE = uuid.UUID("0b0f7c1e-6d2a-5f49-9a3e-2c4b8d1e7f60")

Course = Mapping[str, Any]


def _code(course: Course) -> str:
    return str(course["course_id"]).split(":", 1)[1]


def _amount(value: Any) -> str:
    return f"{Decimal(str(value)):.2f}"


def _certificate(course: Course) -> str:
    kinds = {module.get("certificate") for module in course.get("modules", [])}
    for kind in ("state-recognised", "module-certificate"):
        if kind in kinds:
            return kind
    return "attendance"


def _hours(course: Course) -> float:
    return round(sum(float(m.get("workload_hours", 0)) for m in course.get("modules", [])), 2)


def _leaf(xf: Any, tag: str, text: str | None) -> None:
    if text is not None and text != "":
        element = etree.Element(tag)
        element.text = text
        xf.write(element)


def _service(course: Course) -> Any:
    service = etree.Element("SERVICE", mode="new")
    etree.SubElement(service, "PRODUCT_ID").text = _code(course)
    etree.SubElement(service, "COURSE_TYPE").text = "3"  # KURSNET: a course (Lehrgang)
    etree.SubElement(service, "SUPPLIER_ID_REF", type="supplier_specific").text = str(
        course["provider_id"]
    )
    details = etree.SubElement(service, "SERVICE_DETAILS")
    etree.SubElement(details, "TITLE").text = course["title"]
    if course.get("description"):
        etree.SubElement(details, "DESCRIPTION_LONG").text = course["description"]
    dates = etree.SubElement(details, "SERVICE_DATE")
    etree.SubElement(dates, "START_DATE").text = str(course["start_date"])
    etree.SubElement(dates, "END_DATE").text = str(course["end_date"])
    if course.get("schedule"):
        etree.SubElement(dates, "DATE_REMARKS").text = course["schedule"]
    for group in course.get("target_groups", []):
        target = etree.SubElement(details, "TARGET_GROUP")
        etree.SubElement(target, "TARGET_GROUP_TEXT").text = TARGET_LABELS.get(group, group)
    education = etree.SubElement(
        etree.SubElement(details, "SERVICE_MODULE"), "EDUCATION", type="true"
    )
    etree.SubElement(education, "COURSE_ID").text = _code(course)
    certificate = _certificate(course)
    if certificate in DEGREE_TITLES:
        degree = etree.SubElement(education, "DEGREE", type="0")
        etree.SubElement(degree, "DEGREE_TITLE").text = DEGREE_TITLES[certificate]
    for scheme in course.get("funding", []):
        etree.SubElement(education, "FUNDING_TYPES_FEDERAL").text = scheme
    etree.SubElement(education, "INSTRUCTION_TIME").text = f"{_hours(course):g}"
    extended = etree.SubElement(education, "EXTENDED_INFO")
    etree.SubElement(extended, "INSTRUCTION_FORM").text = INSTRUCTION_FORMS[course["format"]]
    etree.SubElement(education, "LANGUAGE").text = language_639_2(course.get("language", "de"))
    module = etree.SubElement(education, "MODULE_COURSE")
    etree.SubElement(module, "MAX_PARTICIPANTS").text = str(course["capacity"])
    location = course.get("location")
    if location:
        place = etree.SubElement(module, "LOCATION")
        for tag, key in (("STREET", "street"), ("ZIP", "postcode"), ("CITY", "municipality")):
            if location.get(key):
                etree.SubElement(place, tag).text = str(location[key])
    prices = etree.SubElement(etree.SubElement(service, "SERVICE_PRICE_DETAILS"), "SERVICE_PRICE")
    etree.SubElement(prices, "PRICE_AMOUNT").text = _amount(course["price_eur"])
    etree.SubElement(prices, "PRICE_CURRENCY").text = "EUR"
    return service


def write_openqcat(
    courses: Iterable[Course],
    out: BinaryIO,
    *,
    catalog_id: str,
    supplier_name: str,
    generated_at: str,
    supplier_id: str | None = None,
    catalog_name: str = "Regionaler Weiterbildungskatalog",
    generator: str = "ZLL Zentrum Lebensbegleitenden Lernens",
) -> int:
    """Stream a full open-Qcat 1.1 catalogue (`NEW_CATALOG FULLCATALOG="true"`); returns the count.

    Written one SERVICE at a time, so a region's whole catalogue never sits in memory.
    """
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("OPENQCAT", version="1.1"):
            with xf.element("HEADER"):
                _leaf(xf, "GENERATOR_INFO", generator)
                with xf.element("CATALOG"):
                    _leaf(xf, "LANGUAGE", "deu")
                    _leaf(xf, "CATALOG_ID", catalog_id)
                    _leaf(xf, "CATALOG_VERSION", "001.001")
                    _leaf(xf, "CATALOG_NAME", catalog_name)
                    _leaf(xf, "GENERATION_DATE", generated_at)
                    _leaf(xf, "CURRENCY", "EUR")
                with xf.element("SUPPLIER"):
                    if supplier_id:
                        with xf.element("SUPPLIER_ID", type="supplier_specific"):
                            xf.write(supplier_id)
                    _leaf(xf, "SUPPLIER_NAME", supplier_name)
            with xf.element("NEW_CATALOG", FULLCATALOG="true"):
                for course in courses:
                    xf.write(_service(course))
                    count += 1
    return count


def _strings(value: str | None, language: str) -> list[dict[str, str]]:
    return [{"language": language, "value": value}] if value else []


def _tag(course: Course) -> str:
    language = str(course.get("language", "de"))
    return {"de": "de-DE", "en": "en-GB"}.get(language, language)


def ooapi_course(course: Course) -> dict[str, Any]:
    """An OOAPI v5 `Course` for one of the region's courses (its content, without dates)."""
    tag = _tag(course)
    hours = _hours(course)
    return {
        "courseId": str(uuid.uuid5(_NAMESPACE, f"course:{course['course_id']}")),
        "primaryCode": {"codeType": "identifier", "code": course["course_id"]},
        "name": _strings(course["title"], tag),
        "abbreviation": _code(course)[:256],
        "description": _strings(course.get("description") or course["title"], tag),
        "teachingLanguage": language_639_2(str(course.get("language", "de"))),
        "modeOfDelivery": MODES_OF_DELIVERY[course["format"]],
        # One ECTS credit is 25–30 hours; the import reads it back with 25.
        "ects": round(hours / 25, 2),
        "ext": {
            "zll": {
                "eqfLevels": sorted({m["eqf_level"] for m in course.get("modules", [])}),
                "skills": sorted({s for m in course.get("modules", []) for s in m["skills"]}),
                "targetGroups": list(course.get("target_groups", [])),
                "workloadHours": hours,
            }
        },
    }


def ooapi_offering(course: Course) -> dict[str, Any]:
    """An OOAPI v5 course `Offering`: the course in time and place, with its course expanded."""
    tag = _tag(course)
    location = course.get("location")
    addresses = []
    if location:
        address: dict[str, Any] = {
            "addressType": "teaching",
            "street": location.get("street"),
            "postalCode": location.get("postcode"),
            "city": location["municipality"],
            "countryCode": "DE",
        }
        if location.get("lat") is not None and location.get("lon") is not None:
            address["geolocation"] = {"latitude": location["lat"], "longitude": location["lon"]}
        addresses.append({k: v for k, v in address.items() if v is not None})
    prices = [
        {"costType": "total costs", "amount": _amount(course["price_eur"]), "currency": "EUR"}
    ]
    if "stap" in course.get("funding", []):
        prices.append(
            {"costType": "STAP eligible", "amount": prices[0]["amount"], "currency": "EUR"}
        )
    return {
        "offeringId": str(uuid.uuid5(_NAMESPACE, f"offering:{course['course_id']}")),
        "primaryCode": {"codeType": "offeringCode", "code": course["course_id"]},
        "offeringType": "course",
        "name": _strings(course["title"], tag),
        "abbreviation": _code(course)[:256],
        "description": _strings(course.get("description") or course["title"], tag),
        "teachingLanguage": language_639_2(str(course.get("language", "de"))),
        "modeOfDelivery": MODES_OF_DELIVERY[course["format"]],
        "maxNumberStudents": course["capacity"],
        "resultExpected": _certificate(course) != "attendance",
        "startDate": str(course["start_date"]),
        "endDate": str(course["end_date"]),
        "addresses": addresses,
        "priceInformation": prices,
        "course": ooapi_course(course),
        "ext": {
            "zll": {"funding": list(course.get("funding", [])), "schedule": course.get("schedule")}
        },
    }


def ooapi_page(
    items: list[dict[str, Any]], *, page_number: int, page_size: int, has_next_page: bool
) -> dict[str, Any]:
    """OOAPI's pagination envelope around one page of offerings or courses."""
    return {
        "pageSize": page_size,
        "pageNumber": page_number,
        "hasPreviousPage": page_number > 1,
        "hasNextPage": has_next_page,
        "items": items,
    }
