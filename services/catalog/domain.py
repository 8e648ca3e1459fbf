"""The catalogue's rules: who may publish a course, which revision wins, what overlaps with what."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zll_contracts.payloads import (
    CoursePublished,
    CourseUpserted,
    CourseWithdrawn,
    CourseWithdrawnFromCatalog,
)

from zll.platform.errors import Problem, Refused
from zll.platform.geography import neighbours

# --- ingestion -------------------------------------------------------------------------


def check_sender(sender: str | None, provider_id: str) -> None:
    """A provider publishes only its own courses: `ce_source` must name the course's provider."""
    if sender != provider_id:
        raise Refused([Problem(
            "provider_id",
            f"sent by /providers/{sender}, so it must be {sender!r}",
            f"Die Anbieter-Kennung (provider_id) muss die Ihre sein, „{sender}“ (so steht es "
            f"im Absender der Meldung); angegeben war „{provider_id}“.",
            f"The provider id must be your own, \"{sender}\" (as the message's sender says); "
            f"\"{provider_id}\" was given.",
        )])  # fmt: skip


def check_key(key: bytes | None, course_id: str) -> None:
    """The record's Kafka key must be its `course_id`: the key is the ordering key.

    Under another key, an upsert and a later withdrawal of the same course may land on
    different partitions and be applied in either order, so the partner is told at once
    rather than finding a stale course later.
    """
    if key != course_id.encode():
        shown = "none" if key is None else repr(key.decode("utf-8", "replace"))
        raise Refused([Problem(
            "key",
            f"the record's key is {shown}; it must be the course_id {course_id!r}",
            f"Der Schlüssel der Meldung (Kafka-Key) muss die Kurs-Kennung „{course_id}“ sein; "
            f"angegeben war {shown}. Bitte senden Sie jeden Kurs unter seiner Kennung.",
            f"The message's key (Kafka key) must be the course id \"{course_id}\"; {shown} was "
            "given. Please send each course under its id.",
        )])  # fmt: skip


def check_registered(provider_id: str, registered: bool) -> None:
    if not registered:
        raise Refused([Problem(
            "provider_id",
            f"{provider_id!r} is not a registered provider",
            f"Der Anbieter „{provider_id}“ ist bei ZLL nicht angemeldet; Anbieter meldet das "
            "ZLL-Betriebsteam an, bitte wenden Sie sich dorthin.",
            f"The provider \"{provider_id}\" is not registered with ZLL; the ZLL operators "
            "register providers, please ask them.",
        )])  # fmt: skip


def supersedes(incoming_revision: int, stored_revision: int | None) -> bool:
    """An equal or lower revision than the stored one has no effect (and is no error)."""
    return stored_revision is None or incoming_revision > stored_revision


def accepted_upserts(courses: Sequence[CourseUpserted], stored: Mapping[str, int]) -> list[bool]:
    """Which upserts of one batch change the catalogue, aligned with `courses`.

    Each is compared with the revision stored *or accepted earlier in the same batch*, so a
    batch has exactly the effect of applying its events one by one.
    """
    current = dict(stored)
    accepted = []
    for course in courses:
        accepted.append(supersedes(course.revision, current.get(course.course_id)))
        if accepted[-1]:
            current[course.course_id] = course.revision
    return accepted


def publish(course: CourseUpserted, at: datetime) -> CoursePublished:
    # The upsert is already validated; constructing skips a second validation per event.
    return CoursePublished.model_construct(**course.__dict__, published_at=at)


@dataclass(frozen=True, slots=True)
class StoredCourse:
    """What the catalogue holds about one course when a withdrawal arrives."""

    revision: int
    live: bool
    document: Mapping[str, object]


def withdraw(
    withdrawal: CourseWithdrawn, stored: StoredCourse | None, at: datetime
) -> CourseWithdrawnFromCatalog | None:
    """The withdrawal to announce, or None when it changes nothing visible.

    An unknown course is refused; an equal or lower revision is ignored; a course that is
    already withdrawn only records the higher revision (no second announcement).
    """
    if stored is None:
        raise Refused([Problem(
            "course_id",
            f"unknown course {withdrawal.course_id!r}",
            f"Einen Kurs „{withdrawal.course_id}“ gibt es im Kursangebot nicht; zurückziehen "
            "lässt sich nur ein Kurs, der veröffentlicht wurde.",
            f"There is no course \"{withdrawal.course_id}\" in the catalogue; only a published "
            "course can be withdrawn.",
        )])  # fmt: skip
    if not supersedes(withdrawal.revision, stored.revision) or not stored.live:
        return None
    state = {k: v for k, v in stored.document.items() if k not in ("published_at", "reason")}
    return CourseWithdrawnFromCatalog.model_validate(
        {**state, "revision": withdrawal.revision, "reason": withdrawal.reason, "withdrawn_at": at}
    )


# --- coordination: overlapping offers ---------------------------------------------------

WEIGHTS = {"skills": 0.40, "text": 0.20, "place": 0.15, "dates": 0.15, "eqf": 0.10}
THRESHOLD = 0.5
_MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
_STOPWORDS = frozenset(
    ("und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines",
     "für", "mit", "von", "zum", "zur", "auf", "aus", "bei", "nach", "über", "unter", "sich",
     "ihre", "ihren", "sowie", "the", "and", "for", "with", "from")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Offer:
    """A live course as the overlap report sees it."""

    course_id: str
    provider_id: str
    title: str
    text: str  # title and module titles (descriptions are mostly noise for this)
    municipality: str | None  # None: online
    start: date
    end: date
    eqf_levels: tuple[int, ...]
    skill_modules: Mapping[str, str]  # ESCO skill URI -> title of the module teaching it

    @classmethod
    def of(cls, course: Mapping[str, Any]) -> Offer:
        """From a course as published (a `zll.course.upserted.v1`-shaped JSON object)."""
        modules = course["modules"]
        titles = [m["title"] for m in modules]
        return cls(
            course_id=course["course_id"],
            provider_id=course["provider_id"],
            title=course["title"],
            text=" ".join([course["title"], *titles]),
            municipality=(course.get("location") or {}).get("municipality"),
            start=date.fromisoformat(str(course["start_date"])),
            end=date.fromisoformat(str(course["end_date"])),
            eqf_levels=tuple(m["eqf_level"] for m in modules),
            # the first module teaching a skill names it in the reason
            skill_modules={s: m["title"] for m in reversed(modules) for s in m["skills"]},
        )


@dataclass(frozen=True, slots=True)
class Overlap:
    a: Offer
    b: Offer
    score: float
    parts: Mapping[str, float]
    shared_skills: tuple[str, ...]
    reason_de: str
    reason_en: str


def words(text: str) -> frozenset[str]:
    """Folded word stems (umlauts and ß folded, first six letters) for a rough text match."""
    folded = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return frozenset(w[:6] for w in re.findall(r"[a-z]{3,}", plain) if w not in _STOPWORDS)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def containment(a: Iterable[str], b: Iterable[str]) -> float:
    """Shared share of the smaller set: a short text inside a long one still counts."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


def place_score(a: str | None, b: str | None) -> float:
    """Same town 1; neighbouring 0.6; online competes with everyone a little; else 0."""
    if a is None or b is None:
        return 0.4
    if a == b:
        return 1.0
    return 0.6 if neighbours(a, b) else 0.0


def date_score(a: Offer, b: Offer) -> float:
    """Days both run, as a share of the shorter course."""
    shared = (min(a.end, b.end) - max(a.start, b.start)).days + 1
    shorter = min((a.end - a.start).days, (b.end - b.start).days) + 1
    return max(0.0, min(1.0, shared / shorter))


def eqf_score(a: Sequence[int], b: Sequence[int]) -> float:
    """1 for the same mean level, 0 at three levels apart."""
    if not a or not b:
        return 0.0
    gap = abs(sum(a) / len(a) - sum(b) / len(b))
    return max(0.0, 1.0 - gap / 3)


def overlap(a: Offer, b: Offer) -> Overlap | None:
    """How much two offers of different providers compete for the same learners, or None.

    They must share a skill, run at the same time and be reachable from the same place;
    then the weighted score (skills 40 %, text 20 %, place 15 %, dates 15 %, EQF 10 %)
    must reach THRESHOLD.
    """
    shared = sorted(set(a.skill_modules) & set(b.skill_modules))
    parts = {
        "skills": jaccard(a.skill_modules, b.skill_modules),
        "text": containment(words(a.text), words(b.text)),
        "place": place_score(a.municipality, b.municipality),
        "dates": date_score(a, b),
        "eqf": eqf_score(a.eqf_levels, b.eqf_levels),
    }
    if a.provider_id == b.provider_id or not shared or not parts["place"] or not parts["dates"]:
        return None
    score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 3)
    if score < THRESHOLD:
        return None
    de, en = _reasons(a, b, shared)
    return Overlap(a, b, score, parts, tuple(shared), de, en)


def overlaps(offers: Sequence[Offer]) -> list[Overlap]:
    """Every overlapping pair, highest score first."""
    found = [
        pair
        for i, a in enumerate(offers)
        for b in offers[i + 1 :]
        if (pair := overlap(a, b)) is not None
    ]
    return sorted(found, key=lambda o: (-o.score, o.a.course_id, o.b.course_id))


def _reasons(a: Offer, b: Offer, shared: Sequence[str]) -> tuple[str, str]:
    topics = list(dict.fromkeys(f"„{a.skill_modules[s]}“" for s in shared))
    taught = (
        " und ".join(topics) if len(topics) < 3 else ", ".join(topics[:-1]) + " und " + topics[-1]
    )
    taught_en = (
        " and ".join(topics) if len(topics) < 3 else ", ".join(topics[:-1]) + " and " + topics[-1]
    )
    skills = (
        f"{len(shared)} gemeinsame ESCO-Skills" if len(shared) > 1 else "1 gemeinsamer ESCO-Skill"
    )
    skills_en = f"{len(shared)} shared ESCO skill{'s' if len(shared) > 1 else ''}"
    place_de, place_en = _place_words(a.municipality, b.municipality)
    start, end = max(a.start, b.start), min(a.end, b.end)
    when = f"{_MONTHS[start.month - 1]}–{_MONTHS[end.month - 1]} {end.year}"
    if start.month == end.month and start.year == end.year:
        when = f"{_MONTHS[start.month - 1]} {end.year}"
    de = f"beide lehren {taught} ({skills}), {place_de}, zeitgleich {when}"
    en = f"both teach {taught_en} ({skills_en}), {place_en}, at the same time ({when})"
    return de, en  # fmt: skip


def _place_words(a: str | None, b: str | None) -> tuple[str, str]:
    if a is None and b is None:
        return "beide online", "both online"
    if a is None or b is None:
        town = a or b
        return f"online und in {town}", f"online and in {town}"
    if a == b:
        return f"beide in {a}", f"both in {a}"
    return f"in {a} und {b} (Nachbargemeinden)", f"in {a} and {b} (neighbouring towns)"
