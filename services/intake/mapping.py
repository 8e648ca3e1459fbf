"""Shared derivations of the three formats and the contract check of every mapped course."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from zll_contracts.payloads.courses import CourseUpserted

from services.intake.model import FieldError, ImportedCourse, Message, Refusal, course_code
from services.intake.skills import inferred_skills

__all__ = [
    "DESCRIPTION_LIMIT",
    "CourseDraft",
    "finish",
    "funding_value",
    "language_639_1",
    "language_639_2",
    "one_module",
    "parse_date",
    "parse_int",
    "parse_price",
    "target_groups",
    "unreadable",
]

DESCRIPTION_LIMIT = 10_000
# No price, count or hour figure needs more; `1e999999` must not become a huge number.
_NUMBER_CHARS = 24
CourseDraft = dict[str, Any]

# ISO 639-2 (open-Qcat, OOAPI `teachingLanguage`) to the contract's ISO 639-1; B and T codes.
_639_2 = {
    "deu": "de", "ger": "de", "eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "tur": "tr", "ara": "ar", "rus": "ru", "pol": "pl", "ukr": "uk", "nld": "nl", "dut": "nl",
    "por": "pt", "ell": "el", "gre": "el", "zho": "zh", "chi": "zh", "jpn": "ja", "fas": "fa",
    "per": "fa", "hrv": "hr", "srp": "sr", "ron": "ro", "rum": "ro", "bul": "bg", "ces": "cs",
    "cze": "cs", "dan": "da", "swe": "sv", "nor": "no", "fin": "fi", "hun": "hu", "kor": "ko",
    "lat": "la", "heb": "he", "kur": "ku", "sqi": "sq", "alb": "sq", "bos": "bs", "slk": "sk",
}  # fmt: skip
_639_1 = {short: long for long, short in reversed(list(_639_2.items()))}

# Keyword heuristics over free-text target groups (OpenVHS `zielgruppe`, open-Qcat
# `TARGET_GROUP_TEXT`); the first label of each group is what export.py writes back.
_TARGET_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("early-childhood", ("frühe kindheit", "kleinkind", "kita", "eltern-kind", "vorschul")),
    ("school", ("schulalter", "schüler", "jugendliche", "kinder")),
    ("transition", ("übergang schule", "berufseinst", "auszubild", "azubi", "berufsorient")),
    ("senior", ("senior", "ruhestand", "ältere", "60+", "generation 60")),
    ("working-age", ("erwerbsalter", "erwachsene", "beschäftigt", "arbeitsuchend", "berufstät")),
]
TARGET_LABELS = {
    "early-childhood": "Frühe Kindheit",
    "school": "Schulalter",
    "transition": "Übergang Schule und Beruf",
    "working-age": "Erwachsene im Erwerbsalter",
    "senior": "Seniorinnen und Senioren",
}
_FUNDING_WORDS = {
    "bildungsgutschein": "bildungsgutschein",
    "azav": "azav",
    "bildungsurlaub": "bildungsurlaub",
    "aufstiegs-baf": "aufstiegs-bafoeg",
    "aufstiegsbaf": "aufstiegs-bafoeg",
    "bildungsprämie": "bildungspraemie",
    "qualifizierungschancen": "qualifizierungschancengesetz",
}

_FIELD_NAMES = {
    "title": ("Titel", "title"),
    "description": ("Beschreibung", "description"),
    "language": ("Sprache", "language"),
    "format": ("Veranstaltungsform", "format"),
    "location": ("Veranstaltungsort", "venue"),
    "municipality": ("Ort", "town"),
    "postcode": ("Postleitzahl", "postcode"),
    "street": ("Straße", "street"),
    "start_date": ("Beginn", "start date"),
    "end_date": ("Enddatum", "end date"),
    "schedule": ("Termine", "schedule"),
    "capacity": ("Teilnehmerzahl", "number of participants"),
    "price_eur": ("Preis", "price"),
    "funding": ("Förderung", "funding"),
    "target_groups": ("Zielgruppe", "target group"),
    "modules": ("Module", "modules"),
    "workload_hours": ("Stundenumfang", "hours"),
    "course_id": ("Kurs-ID", "course id"),
}


def parse_date(raw: str | None) -> date | None:
    """ISO dates, also with a time or zone after them (`2026-02-03T00:00:00+01:00`)."""
    if not raw:
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", raw)
    if match is None:
        match = re.match(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})", raw)  # German 03.02.2026
        if match is None:
            raise ValueError(raw[:40])
        day, month, year = match.groups()
        return date(int(year), int(month), int(day))
    year, month, day = match.groups()
    return date(int(year), int(month), int(day))


def parse_int(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    if len(raw.strip()) > _NUMBER_CHARS:
        raise ValueError(raw[:40])
    value = Decimal(raw.strip().replace(",", "."))
    if value != value.to_integral_value():
        raise ValueError(raw[:40])
    return int(value)


def parse_price(raw: str | None) -> Decimal | None:
    """`82.8`, `82,80`, `1.234,50 €`: German exports write prices every way."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if len(text) > _NUMBER_CHARS:
        raise ValueError(raw[:40])
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(raw[:40]) from error


def language_639_1(raw: str | None) -> str | None:
    if not raw:
        return None
    code = raw.strip().lower().split("-")[0]
    if len(code) == 2 and code.isalpha():
        return code
    return _639_2.get(code)


def language_639_2(code: str) -> str:
    return _639_1.get(code, "deu")


def target_groups(texts: list[str]) -> list[str]:
    """Life phases named in free text; adult education is for working age unless it says else."""
    found: list[str] = []
    for text in texts:
        lowered = text.lower()
        for group, words in _TARGET_WORDS:
            if group not in found and any(word in lowered for word in words):
                found.append(group)
    return found or ["working-age"]


def funding_value(text: str) -> str:
    """A funding scheme as the contract's lowercase slug; unknown schemes are kept."""
    lowered = text.strip().lower()
    for word, value in _FUNDING_WORDS.items():
        if word in lowered:
            return value
    slug = re.sub(r"[^a-z0-9äöüß]+", "-", lowered).strip("-")
    return slug[:64] or "unbekannt"


def one_module(code: str, title: str, hours: float, eqf_level: int, certificate: str) -> dict:
    """Formats without modules get one module spanning the whole course (skills: see finish)."""
    return {
        "module_id": code,
        "title": title[:200],
        "workload_hours": round(hours, 2),
        "eqf_level": eqf_level,
        "skills": [],
        "certificate": certificate,
    }


def infer_missing_skills(draft: CourseDraft) -> None:
    """A module without skills gets those its final title names, marked as inferred."""
    for module in draft.get("modules", []):
        if not module.get("skills"):
            module["skills"] = inferred_skills(module["title"])
            module["skills_inferred"] = bool(module["skills"])


def _field_error(loc: tuple[int | str, ...], kind: str, context: dict[str, Any]) -> FieldError:
    key = next((str(part) for part in reversed(loc) if str(part) in _FIELD_NAMES), "course")
    de_name, en_name = _FIELD_NAMES.get(key, ("Angabe", "value"))
    if kind == "end_before_start":
        return FieldError(
            key, Message("Das Enddatum liegt vor dem Beginn.", "The end date is before the start.")
        )
    if kind == "location_required":
        return FieldError(
            key,
            Message(
                "Der Veranstaltungsort fehlt; nur Online-Kurse kommen ohne ihn aus.",
                "The venue is missing; only online courses may go without one.",
            ),
        )
    if kind in ("missing", "none_required"):
        return FieldError(key, Message(f"{de_name} fehlt.", f"The {en_name} is missing."))
    if kind in ("string_too_long", "too_long"):
        limit = context.get("max_length", "")
        return FieldError(
            key,
            Message(
                f"{de_name} ist zu lang (höchstens {limit} Zeichen).",
                f"The {en_name} is too long (at most {limit} characters).",
            ),
        )
    if kind in ("string_too_short", "too_short"):
        return FieldError(key, Message(f"{de_name} ist leer.", f"The {en_name} is empty."))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return FieldError(
            key,
            Message(
                f"{de_name} liegt außerhalb des erlaubten Bereichs.",
                f"The {en_name} is out of the allowed range.",
            ),
        )
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return FieldError(key, Message(f"{de_name} ist zu groß.", f"The {en_name} is too large."))
    if kind.startswith("decimal"):
        return FieldError(
            key,
            Message(
                f"{de_name} muss ein Betrag in ganzen Cent sein.",
                f"The {en_name} must be an amount in whole cents.",
            ),
        )
    return FieldError(
        key, Message(f"{de_name} ist ungültig ({kind}).", f"The {en_name} is invalid ({kind}).")
    )


def unreadable(export_id: str | None, title: str | None, line: int | None, path: str) -> Refusal:
    """A record whose values could not be read at all; the document goes on."""
    return Refusal(
        export_id,
        title,
        line,
        path,
        (
            FieldError(
                "course",
                Message(
                    "Der Eintrag enthält Werte, die nicht gelesen werden können.",
                    "The entry contains values that cannot be read.",
                ),
            ),
        ),
    )


def finish(
    provider_id: str,
    export_id: str,
    draft: CourseDraft,
    *,
    line: int | None,
    path: str,
    errors: list[FieldError],
) -> ImportedCourse | Refusal:
    """Check the mapped draft against the contract; a course is either fully valid or refused."""
    title = draft.get("title") or None
    if errors:
        return Refusal(export_id, title, line, path, tuple(errors))
    code = course_code(export_id)
    description = draft.get("description")
    if description and len(description) > DESCRIPTION_LIMIT:
        # A long description is cut rather than refused: the course is still worth finding.
        draft["description"] = description[: DESCRIPTION_LIMIT - 1] + "…"
    infer_missing_skills(draft)
    payload = {"provider_id": provider_id, "course_id": f"{provider_id}:{code}", **draft}
    try:
        course = CourseUpserted.model_validate({**payload, "revision": 1})
    except ValidationError as error:
        found = [
            _field_error(detail["loc"], detail["type"], detail.get("ctx") or {})
            for detail in error.errors(include_url=False)
        ]
        return Refusal(export_id, title, line, path, tuple(found))
    dumped = course.model_dump(mode="json", exclude={"revision"})
    return ImportedCourse(code, export_id, dumped, line, path)
