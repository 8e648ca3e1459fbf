"""A refused field in a clerk's words, German and English: what is wrong, what is allowed.

The machine-readable `field` (`modules.0.eqf_level`) stays for programs; this module words
the same error for a person at a provider's desk: the field's human name, modules counted
from 1, the rule the contract sets (read from the payload model's own JSON Schema, so the
wording cannot drift from the rule) and the value that was given.

    Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9.
    Module 1: The EQF level must be between 1 and 8; 9 was given.

No I/O and only pydantic: partners who install the contracts package get the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

__all__ = ["FieldText", "describe_error", "describe_problem", "field_name", "printable"]

_STORAGE_LIMIT = 10**12
_MAX_GIVEN = 60  # characters of a refused value quoted back; the rest is elided


# Control characters and lone surrogates: a refused value may hold them (that may be why it
# was refused), and quoted back they would break the feedback's JSON or a clerk's e-mail.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")


def printable(text: str) -> str:
    """A partner's text fit to quote back: unprintable runs become one space, trimmed."""
    return " ".join(_UNPRINTABLE.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class FieldText:
    de: str
    en: str


# A field's human name, German with its article (the sentence starts with it), and English.
_NAMES: dict[str, tuple[str, str]] = {
    "course_id": ("die Kurs-Kennung (course_id)", "the course id"),
    "provider_id": ("die Anbieter-Kennung (provider_id)", "the provider id"),
    "partner_id": ("die Partner-Kennung (partner_id)", "the partner id"),
    "revision": ("die Revisionsnummer", "the revision number"),
    "title": ("der Titel", "the title"),
    "description": ("die Beschreibung", "the description"),
    "language": ("die Kurssprache", "the course language"),
    "format": ("die Kursform", "the course format"),
    "location": ("der Kursort", "the location"),
    "municipality": ("die Gemeinde", "the municipality"),
    "postcode": ("die Postleitzahl", "the postcode"),
    "street": ("die Straße", "the street"),
    "lat": ("die geografische Breite", "the latitude"),
    "lon": ("die geografische Länge", "the longitude"),
    "start_date": ("das Anfangsdatum", "the start date"),
    "end_date": ("das Enddatum", "the end date"),
    "schedule": ("die Zeitangabe", "the schedule"),
    "capacity": ("die Zahl der Plätze", "the number of seats"),
    "seats": ("die Zahl der Plätze", "the number of seats"),
    "price_eur": ("der Preis in Euro", "the price in euros"),
    "funding": ("die Förderungen", "the funding schemes"),
    "target_groups": ("die Zielgruppen", "the target groups"),
    "modules": ("die Module", "the modules"),
    "module_id": ("die Modul-Kennung", "the module id"),
    "workload_hours": ("der Arbeitsaufwand in Stunden", "the workload in hours"),
    "eqf_level": ("das EQF-Niveau", "the EQF level"),
    "skills": ("die Kompetenzen (ESCO)", "the skills (ESCO)"),
    "required_skills": ("die verlangten Kompetenzen (ESCO)", "the required skills (ESCO)"),
    "certificate": ("der Abschluss", "the certificate"),
    "reason": ("die Begründung", "the reason"),
    "enrolment_id": ("die Anmelde-Kennung", "the enrolment id"),
    "learner_id": ("die Kennung der lernenden Person", "the learner id"),
    "requested_at": ("der Anmeldezeitpunkt", "the time of the request"),
    "completed_at": ("der Abschlusszeitpunkt", "the time of completion"),
    "modules_passed": ("die bestandenen Module", "the modules passed"),
    "contact": ("die Kontaktangabe", "the contact"),
    "email": ("die E-Mail-Adresse", "the e-mail address"),
    "locale": ("die Sprache", "the language"),
    "opportunity_id": ("die Angebots-Kennung", "the opportunity id"),
    "kind": ("die Art", "the kind"),
    "report_id": ("die Meldungs-Kennung", "the report id"),
    "occupation": ("der Beruf (ESCO)", "the occupation (ESCO)"),
    "skill": ("die Kompetenz (ESCO)", "the skill (ESCO)"),
    "headcount": ("die Zahl der Personen", "the headcount"),
    "horizon": ("der Zeithorizont", "the horizon"),
    "data": ("die Nachricht", "the message"),
}
# An item of a list, counted from 1 for people: "Modul 2", "Kompetenz 3".
_ITEMS: dict[str, tuple[str, str]] = {
    "modules": ("Modul", "Module"),
    "skills": ("Kompetenz", "Skill"),
    "required_skills": ("Kompetenz", "Skill"),
    "target_groups": ("Zielgruppe", "Target group"),
    "funding": ("Förderung", "Funding scheme"),
    "modules_passed": ("Bestandenes Modul", "Module passed"),
}
# What an identifier pattern allows, in words (the schema's regular expression is no help).
_PATTERNS: dict[str, tuple[str, str]] = {
    r"^[a-z0-9-]{2,40}$": (
        "nur Kleinbuchstaben, Ziffern und Bindestriche enthalten (2 bis 40 Zeichen)",
        "contain only lower-case letters, digits and hyphens (2 to 40 characters)",
    ),
    r"^[a-z0-9-]{2,40}:[A-Za-z0-9._-]{1,64}$": (
        "die Form <anbieter>:<kurscode> haben, etwa vhs-kassel:EDV-101",
        "have the form <provider>:<course code>, e.g. vhs-kassel:EDV-101",
    ),
    r"^[A-Za-z0-9._-]{1,64}$": (
        "nur Buchstaben, Ziffern, Punkt, Unterstrich und Bindestrich enthalten",
        "contain only letters, digits, dot, underscore and hyphen",
    ),
    r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9._-]+$": (
        "eine ESCO-Kompetenz sein (http://data.europa.eu/esco/skill/…)",
        "be an ESCO skill (http://data.europa.eu/esco/skill/…)",
    ),
    r"^http://data\.europa\.eu/esco/occupation/[A-Za-z0-9._-]+$": (
        "ein ESCO-Beruf sein (http://data.europa.eu/esco/occupation/…)",
        "be an ESCO occupation (http://data.europa.eu/esco/occupation/…)",
    ),
    r"^[a-z]{2}$": (
        "ein Sprachcode aus zwei Kleinbuchstaben sein (ISO 639-1, etwa de)",
        "be a two-letter language code (ISO 639-1, e.g. de)",
    ),
    r"^[^@\s]+@[^@\s]+$": ("eine E-Mail-Adresse sein", "be an e-mail address"),
}


def field_name(loc: Sequence[str | int]) -> FieldText:
    """`modules.0.eqf_level` → "Modul 1: das EQF-Niveau" / "Module 1: the EQF level"."""
    places_de, places_en = [], []
    last: str | None = None
    for previous, part in zip([None, *loc], loc, strict=False):
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            item_de, item_en = _ITEMS.get(str(previous), ("Eintrag", "Item"))
            places_de.append(f"{item_de} {int(part) + 1}")
            places_en.append(f"{item_en} {int(part) + 1}")
            last = None
        else:
            last = part if part in _NAMES else None
    if last is None and loc and isinstance(loc[-1], int):
        # the item itself is wrong ("Kompetenz 2"): it is named by its place alone
        return FieldText(": ".join(places_de), ": ".join(places_en))
    if last is None:  # a field without a human name yet: its path, as programs see it
        path = ".".join(map(str, loc)) or "data"
        de, en = f"das Feld {path}", f"the field {path}"
    else:
        de, en = _NAMES[last]
    return FieldText(_join(places_de, de), _join(places_en, en))


def _join(places: list[str], name: str) -> str:
    return ": ".join([*places, name[:1].upper() + name[1:]])


def describe_error(detail: ErrorDetails, model: type[BaseModel] | None = None) -> FieldText:
    """One pydantic error as a sentence per language; `model` tells the allowed range."""
    loc = tuple(detail["loc"])
    name = field_name(loc)
    rule = _rule(model, loc) if model is not None else {}
    ctx: Mapping[str, Any] = detail.get("ctx") or {}
    named = [p for p in loc if isinstance(p, str) and p in _NAMES]
    plural = bool(named) and named[-1] in _PLURAL and not isinstance(loc[-1], int)
    de, en = _sentence(detail["type"], ctx, rule, detail.get("input"), plural)
    if de is None or en is None:
        # A rule without its own words: say which field, and the contract's message.
        return FieldText(f"{name.de}: {detail['msg']}", f"{name.en}: {detail['msg']}")
    return FieldText(f"{name.de} {de}", f"{name.en} {en}")


def describe_problem(field: str, message: str) -> FieldText:
    """A service's own refusal (a rule beyond the schema): the field's name, its message."""
    name = field_name(tuple(int(p) if p.isdigit() else p for p in field.split(".")))
    return FieldText(f"{name.de}: {message}", f"{name.en}: {message}")


_NUMBER_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "int_parsing",
        "int_type",
        "int_from_float",
        "float_parsing",
        "float_type",
        "finite_number",
    }
)
# Names that are plural take plural verbs: "Die Module müssen …", "The modules are missing".
_PLURAL = frozenset(
    {"funding", "target_groups", "modules", "skills", "required_skills", "modules_passed"}
)


def _sentence(
    kind: str, ctx: Mapping[str, Any], rule: Mapping[str, Any], given: Any, plural: bool
) -> tuple[str | None, str | None]:
    """The predicate after the field's name: "muss zwischen 1 und 8 liegen; angegeben war 9."."""
    must, may = ("müssen", "dürfen") if plural else ("muss", "darf")
    shown = _given(given)
    was_de, was_en = f"; angegeben war {shown}.", f"; {shown} was given."
    if kind == "missing":
        return (
            f"{'fehlen' if plural else 'fehlt'}, {'sind' if plural else 'ist'} aber Pflicht.",
            f"{'are' if plural else 'is'} missing; {'they are' if plural else 'it is'} required.",
        )
    if kind in _NUMBER_ERRORS:
        de, en = _range(rule, ctx)
        if kind in {"int_parsing", "int_type", "int_from_float"}:
            de = f"eine ganze Zahl sein{' und ' + de if de else ''}"
            en = f"be a whole number{' and ' + en if en else ''}"
        elif not de:
            de, en = "eine Zahl sein", "be a number"
        return f"{must} {de}{was_de}", f"must {en}{was_en}"
    if kind in {"string_too_short", "string_too_long"}:
        low = rule.get("minLength", ctx.get("min_length"))
        high = rule.get("maxLength", ctx.get("max_length"))
        if kind == "string_too_short" and (low or 0) <= 1:
            return f"{may} nicht leer sein.", "must not be empty."
        length = len(given) if isinstance(given, str) else "?"
        de, en = _length(low, high, "Zeichen", "Zeichen", "characters")
        return (
            f"{must} {de} lang sein; angegeben waren {length} Zeichen.",
            f"must be {en} long; {length} characters were given.",
        )
    if kind in {"too_short", "too_long"}:
        low = rule.get("minItems", ctx.get("min_length"))
        high = rule.get("maxItems", ctx.get("max_length"))
        count = ctx.get("actual_length", "?")
        de, en = _length(low, high, "Eintrag", "Einträge", "entries")
        return (
            f"{must} {de} haben; angegeben waren {count}.",
            f"must have {en}; {count} were given.",
        )
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", rule.get("pattern", "")))
        de, en = _PATTERNS.get(pattern, (f"dem Muster {pattern} folgen", f"match {pattern}"))
        return f"{must} {de}{was_de}", f"must {en}{was_en}"
    if kind in {"enum", "literal_error"}:
        allowed = ", ".join(str(v) for v in rule.get("enum", ())) or str(ctx.get("expected"))
        return (
            f"{must} einer dieser Werte sein: {allowed}{was_de}",
            f"must be one of: {allowed}{was_en}",
        )
    if kind.startswith("datetime") or kind == "timezone_aware":
        return (
            f"{must} ein Zeitpunkt mit Zeitzone sein (2027-03-01T09:00:00+01:00){was_de}",
            f"must be a date and time with its zone (2027-03-01T09:00:00+01:00){was_en}",
        )
    if kind.startswith("date_"):
        return (
            f"{must} ein Datum der Form JJJJ-MM-TT sein (2027-03-01){was_de}",
            f"must be a date as YYYY-MM-DD (2027-03-01){was_en}",
        )
    if kind.startswith("decimal_"):
        return (
            f"{must} ein Betrag in ganzen Cent sein (höchstens zwei Nachkommastellen){was_de}",
            f"must be an amount in whole cents (at most two decimals){was_en}",
        )
    if kind in {"string_type", "string_unicode"}:
        return f"{must} ein Text sein{was_de}", f"must be text{was_en}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{must} ein Objekt mit Feldern sein.", "must be an object with fields."
    if kind == "list_type":
        return f"{must} eine Liste sein.", "must be a list."
    if kind in {"uuid_parsing", "uuid_type"}:
        return f"{must} eine UUID sein{was_de}", f"must be a UUID{was_en}"
    return _custom(kind, ctx)


def _custom(kind: str, ctx: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The contract's own rules (`refuse(...)` in the payload models)."""
    if kind == "course_id_prefix":
        prefix = ctx.get("provider_id")
        return (
            f"muss mit der Anbieter-Kennung und einem Doppelpunkt beginnen ({prefix}:…).",
            f"must start with the provider id and a colon ({prefix}:…).",
        )
    if kind == "location_required":
        return (
            "fehlt; nur Online-Kurse brauchen keinen Ort.",
            "is missing; only online courses need none.",
        )
    if kind == "end_before_start":
        start = ctx.get("start_date")
        return (
            f"darf nicht vor dem Anfangsdatum ({start}) liegen.",
            f"must not be before the start date ({start}).",
        )
    if kind == "duplicate_module_id":
        module = ctx.get("module_id")
        return (
            f"enthalten die Modul-Kennung {module!r} mehrfach; jede darf nur einmal vorkommen.",
            f"name module id {module!r} more than once; each may appear only once.",
        )
    if kind == "skill_or_occupation":
        return (
            "oder ein Beruf muss angegeben sein, nicht beides.",
            "or an occupation must be given, not both.",
        )
    return None, None


def _range(rule: Mapping[str, Any], ctx: Mapping[str, Any]) -> tuple[str, str]:
    """ "zwischen 1 und 8 liegen" / "be between 1 and 8", from the schema (else the error)."""
    low = rule.get("minimum", rule.get("exclusiveMinimum", ctx.get("ge", ctx.get("gt"))))
    low_open = "minimum" not in rule and ("exclusiveMinimum" in rule or "gt" in ctx)
    high = rule.get("maximum", rule.get("exclusiveMaximum", ctx.get("le", ctx.get("lt"))))
    high_open = "maximum" not in rule and ("exclusiveMaximum" in rule or "lt" in ctx)
    if high is not None and high > _STORAGE_LIMIT:
        high = None  # a bound of storage (a BIGINT revision), not a rule a clerk must know
    if low is not None and high is not None and not low_open and not high_open:
        return (
            f"zwischen {_de(low)} und {_de(high)} liegen",
            f"be between {_en(low)} and {_en(high)}",
        )
    parts_de, parts_en = [], []
    if low is not None:
        parts_de.append(f"größer als {_de(low)}" if low_open else f"mindestens {_de(low)}")
        parts_en.append(f"greater than {_en(low)}" if low_open else f"at least {_en(low)}")
    if high is not None:
        parts_de.append(f"kleiner als {_de(high)}" if high_open else f"höchstens {_de(high)}")
        parts_en.append(f"less than {_en(high)}" if high_open else f"at most {_en(high)}")
    if not parts_de:
        return "", ""
    return " und ".join(parts_de) + " sein", "be " + " and ".join(parts_en)


def _length(low: Any, high: Any, one_de: str, many_de: str, unit_en: str) -> tuple[str, str]:
    if low is not None and low == high:
        return f"genau {_de(low)} {one_de if low == 1 else many_de}", f"exactly {low} {unit_en}"
    if low is not None and high is not None and low != high:
        return f"{_de(low)} bis {_de(high)} {many_de}", f"{_en(low)} to {_en(high)} {unit_en}"
    if high is not None and low is None:
        unit = one_de if high == 1 else many_de
        return f"höchstens {_de(high)} {unit}", f"at most {_en(high)} {unit_en}"
    unit = one_de if low == 1 else many_de
    return f"mindestens {_de(low)} {unit}", f"at least {_en(low)} {unit_en}"


def _de(number: Any) -> str:
    """German digits: 1.000.000 and 0,5."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    text = f"{number:,}" if isinstance(number, int | float | Decimal) else str(number)
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _en(number: Any) -> str:
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return f"{number:,}" if isinstance(number, int | float | Decimal) else str(number)


def _given(value: Any) -> str:
    """The refused value as it was sent, quoted and cut short."""
    if isinstance(value, str):
        text = printable(value[: _MAX_GIVEN * 4])
        text = text if len(text) <= _MAX_GIVEN else text[: _MAX_GIVEN - 1] + "…"
        return f'"{text}"'
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "[…]" if isinstance(value, list) else "{…}"


def _rule(model: type[BaseModel], loc: Sequence[str | int]) -> Mapping[str, Any]:
    """The JSON Schema of the field at `loc`: its bounds, pattern or choices."""
    schema = _schema(model)
    defs = schema.get("$defs", {})
    node: Mapping[str, Any] = schema
    for part in loc:
        node = _resolve(node, defs)
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        else:
            return {}
    return _resolve(node, defs)


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow `$ref` and take the non-null branch of an optional field."""
    for _ in range(5):
        if "$ref" in node:
            node = defs.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
        elif "anyOf" in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            node = branches[0] if len(branches) == 1 else node
            if len(branches) != 1:
                return node
        else:
            return node
    return node


@lru_cache(maxsize=64)
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()
