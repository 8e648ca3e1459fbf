"""What a learner typed into one search box: the words to search, and near where.

"Excel Kurs 34117 25 km" searches "Excel Kurs" within 25 km of the postcode 34117;
"Pflege Kassel 10km" searches "Pflege" within 10 km of Kassel. Pure: the one geography
(`zll.platform.geography`) says which postcodes and towns exist, nothing else is asked.

Read from `q`, in this order:
- a radius: a number with "km" or "Kilometer" ("25 km", "10km", "im Umkreis von 5 km");
- a postcode: five digits that are a German postcode (a town right after it, as in an
  address, "34117 Kassel", is part of it);
- else a town: one to three words that name a German town, either after "in", "bei",
  "nahe", "um" or "im Raum" anywhere ("Deutschkurs in Bad Salzuflen"), or at the end of
  the query after other words ("Pflege Kassel"). A town alone ("Kassel") is a place only
  with a radius beside it ("Kassel 10 km"): otherwise it is the word searched.
A query in the web search syntax (quotes, `-word`, `or`) is taken as written, so quotes are
the way to search for a word that is also a town ("\"Gesund Essen\"").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from zll.platform import geography

MAX_RADIUS_KM = 500.0
_SYNTAX = re.compile(r"[\"']|(^|\s)-|\bor\b", re.IGNORECASE)
_RADIUS = re.compile(
    r"(?:\b(?:im\s+)?umkreis\s+(?:von\s+)?)?(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)\s*"
    r"(?:km|kilometern?)\b",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\w-])\d{5}(?![\w-])")
_PREPOSITIONS = ("in", "bei", "nahe", "nähe", "um", "im raum", "rund um")
_LONGEST_TOWN = 3  # words: "Frankfurt am Main", "Horn-Bad Meinberg" is one


@dataclass(frozen=True, slots=True)
class Understood:
    """The words to search (None: none left), the place as typed, the radius as typed."""

    text: str | None
    place: str | None = None
    radius_km: float | None = None


def understand(q: str, is_town: Callable[[str], bool] | None = None) -> Understood:
    """Split a search box's `q` into words, place and radius (see the module's text)."""
    known = is_town or _is_town
    if _SYNTAX.search(q):
        return Understood(_tidy(q))
    text, radius = _radius(q)
    text, place = _postcode(text, known)
    if place is None:
        text, place = _town(text, known, alone=radius is not None)
    return Understood(_tidy(text), place, radius)


def _radius(q: str) -> tuple[str, float | None]:
    found = [m for m in _RADIUS.finditer(q) if 0 < _number(m.group(1)) <= MAX_RADIUS_KM]
    if not found:
        return q, None
    last = found[-1]  # "10 km … 25 km": the last one said
    return q[: last.start()] + " " + q[last.end() :], _number(last.group(1))


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _postcode(text: str, known: Callable[[str], bool]) -> tuple[str, str | None]:
    for m in _POSTCODE.finditer(text):
        if geography.locate(m.group()) is None:
            continue
        before, after = text[: m.start()], text[m.end() :]
        before = _drop_preposition(before)
        words = after.split()
        for n in range(min(_LONGEST_TOWN, len(words)), 0, -1):  # "34117 Kassel": the address
            if known(" ".join(words[:n])):
                after = " ".join(words[n:])
                break
        return before + " " + after, m.group()
    return text, None


def _town(text: str, known: Callable[[str], bool], *, alone: bool) -> tuple[str, str | None]:
    words = text.split()
    lowered = [w.lower() for w in words]
    # After a preposition, anywhere: "Deutsch in Bad Salzuflen am Abend".
    for i in range(len(words)):
        for prep in _PREPOSITIONS:
            p = prep.split()
            if lowered[i : i + len(p)] != p:
                continue
            start = i + len(p)
            for n in range(min(_LONGEST_TOWN, len(words) - start), 0, -1):
                name = " ".join(words[start : start + n])
                if known(name):
                    return " ".join(words[:i] + words[start + n :]), _strip(name)
    # At the end, after other words (or alone, with a radius beside it).
    for n in range(min(_LONGEST_TOWN, len(words)), 0, -1):
        if n == len(words) and not alone:
            continue
        name = " ".join(words[-n:])
        if known(name):
            return " ".join(words[:-n]), _strip(name)
    return text, None


def _drop_preposition(text: str) -> str:
    lowered = text.lower().rstrip()
    for prep in (*_PREPOSITIONS, "plz"):
        if lowered == prep or lowered.endswith(" " + prep):
            return text.rstrip()[: -len(prep)]
    return text


def _strip(name: str) -> str:
    return name.strip(" ,;")


def _tidy(text: str) -> str | None:
    tidy = " ".join(text.replace(" ,", ",").split()).strip(" ,;")
    return tidy or None


def _is_town(name: str) -> bool:
    """A German town by one of its names (letters, spaces, hyphens and dots only)."""
    name = _strip(name)
    return bool(re.fullmatch(r"[^\W\d_][\w .-]*", name)) and geography.town_named(name)
