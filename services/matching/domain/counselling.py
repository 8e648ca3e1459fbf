"""Counselling from one hand: which courses close a learner's skill gap, and in what order.

Plain Python, no I/O. Every constraint of the profile is a hard filter (`why_not` says which
one a course breaks); what passes is ranked by how much of the gap it closes, then distance
and cost. The pathway through the suitable courses is in `pathways`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from zll.platform.geography import course_point, haversine_km, locate

Label = Callable[[str], str]
_CLOCK = re.compile(r"(\d{1,2})[:.]\d{2}")


@dataclass(frozen=True, slots=True)
class ModuleOffer:
    module_id: str
    title: str
    workload_hours: float
    eqf_level: int
    skills: frozenset[str]


@dataclass(frozen=True, slots=True)
class CourseOffer:
    course_id: str
    provider_id: str
    title: str
    format: str  # onsite | online | blended
    municipality: str | None
    lat: float | None
    lon: float | None
    start_date: date
    end_date: date
    schedule: str | None
    capacity: int
    price_eur: float
    funding: frozenset[str]
    target_groups: frozenset[str]
    language: str
    modules: tuple[ModuleOffer, ...]
    postcode: str | None = None
    # Derived once: every request reads it for each candidate course, often several times.
    skills: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", frozenset().union(*(m.skills for m in self.modules)))

    @property
    def point(self) -> tuple[float, float] | None:
        """Where it takes place, as the catalog places it: own coordinates, else postcode,
        else town, anywhere in Germany (the one geography)."""
        return course_point(self.lat, self.lon, self.postcode, self.municipality)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the learner wants and what limits them; an empty set means no limit."""

    goal_skills: frozenset[str]
    held_skills: frozenset[str] = frozenset()
    municipality: str | None = None
    travel_km: float | None = None
    formats: frozenset[str] = frozenset()
    budget_eur: float | None = None
    languages: frozenset[str] = frozenset()
    times_of_day: frozenset[str] = frozenset()  # morning | afternoon | evening
    life_phase: str | None = None
    funding: frozenset[str] = frozenset()

    @property
    def gap(self) -> frozenset[str]:
        return self.goal_skills - self.held_skills


@dataclass(frozen=True, slots=True)
class Suitable:
    """A course that teaches part of the gap and passes every constraint, with what it costs."""

    course: CourseOffer
    teaches: frozenset[str]
    distance_km: float | None
    cost_eur: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    course_id: str
    provider_id: str
    title: str
    teaches: list[str]
    modules: list[str]
    distance_km: float | None
    cost_eur: float
    funding_used: str | None
    start_date: date
    explanation: str


def time_of_day(schedule: str | None) -> str | None:
    """morning (< 12 h), afternoon (12–17 h) or evening (≥ 17 h) from the first clock time."""
    found = _CLOCK.search(schedule or "")
    if not found:
        return None
    hour = int(found.group(1))
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def distance_km(course: CourseOffer, profile: Profile) -> float | None:
    here, there = locate(profile.municipality), course.point
    if course.format == "online" or here is None or there is None:
        return None
    return haversine_km(here, there)


def funding_used(course: CourseOffer, profile: Profile) -> str | None:
    shared = sorted(course.funding & profile.funding)
    return shared[0] if shared else None


def cost_eur(course: CourseOffer, profile: Profile, price_eur: float | None = None) -> float:
    """What the learner pays: nothing when a funding scheme they hold covers the course, else
    the price — `price_eur` when modules are recognised for them (pathways.reduced_prices)."""
    if funding_used(course, profile):
        return 0.0
    return course.price_eur if price_eur is None else price_eur


def why_not(course: CourseOffer, profile: Profile, today: date) -> str | None:
    """The first constraint the course breaks for this learner, or None when it fits."""
    return _breaks(course, profile, today, distance_km(course, profile))


def _breaks(
    course: CourseOffer, profile: Profile, today: date, km: float | None, cost: float | None = None
) -> str | None:
    """why_not, with the distance already known (it is needed again for the ranking), and the
    learner's cost when modules are recognised for them."""
    if course.start_date < today:
        return "has already started"
    if course.capacity <= 0:
        return "has no seats"
    if profile.formats and course.format not in profile.formats:
        return f"is {course.format}"
    if profile.languages and course.language not in profile.languages:
        return f"is taught in {course.language}"
    if (
        profile.life_phase
        and course.target_groups
        and profile.life_phase not in course.target_groups
    ):
        return "is meant for another life phase"
    slot = time_of_day(course.schedule)
    if profile.times_of_day and slot is not None and slot not in profile.times_of_day:
        return f"runs in the {slot}"
    if cost is None:
        cost = cost_eur(course, profile)
    if profile.budget_eur is not None and cost > profile.budget_eur:
        return "costs more than the budget"
    return _too_far(course, profile, km)


def _too_far(course: CourseOffer, profile: Profile, km: float | None) -> str | None:
    if course.format == "online" or profile.travel_km is None:
        return None
    if km is None:  # unknown place: only the learner's own town is surely near
        same = (course.municipality or "").lower() == (profile.municipality or "").lower()
        return None if same else "is at a place we cannot locate"
    return None if km <= profile.travel_km else f"is {km:.0f} km away"


def suitable(
    profile: Profile,
    courses: Iterable[CourseOffer],
    today: date,
    prices: Mapping[str, float] | None = None,
) -> list[Suitable]:
    """Courses that teach part of the gap and fit every constraint, in the order given.

    Recommendations and the pathway both start from this list; the API computes it once.
    `prices`: per course, what it costs this learner once recognised modules are left out.
    """
    prices = prices or {}
    gap = profile.gap
    found = []
    for course in courses:
        teaches = course.skills & gap
        if not teaches:
            continue
        km = distance_km(course, profile)
        cost = cost_eur(course, profile, prices.get(course.course_id))
        if _breaks(course, profile, today, km, cost) is None:
            found.append(Suitable(course, teaches, km, cost))
    return found


def recommend(
    profile: Profile, courses: Iterable[CourseOffer], today: date, label: Label, limit: int = 10
) -> list[Recommendation]:
    """Courses that teach part of the gap and fit every constraint, best first."""
    return best(profile, suitable(profile, courses, today), label, limit)


def best(
    profile: Profile, fit: list[Suitable], label: Label, limit: int = 10
) -> list[Recommendation]:
    """The `limit` best of the suitable courses, explained; only those get an explanation."""
    ranked = sorted(
        fit,
        key=lambda s: (
            -len(s.teaches),
            _rounded(s.distance_km) or 0.0,  # ranked by the distance shown, to 100 m
            s.cost_eur,
            s.course.start_date.toordinal(),
            s.course.course_id,
        ),
    )
    return [_recommendation(s, profile, label) for s in ranked[:limit]]


def _rounded(km: float | None) -> float | None:
    return round(km, 1) if km is not None else None


def _recommendation(fit: Suitable, profile: Profile, label: Label) -> Recommendation:
    course, teaches, km, cost = fit.course, fit.teaches, fit.distance_km, fit.cost_eur
    funding = funding_used(course, profile)
    names = ", ".join(sorted(label(s) for s in teaches))
    parts = [f"teaches {len(teaches)} of the {len(profile.gap)} skills your goal needs ({names})"]
    parts.append(
        "online"
        if course.format == "online"
        else f"{km:.0f} km away"
        if km is not None
        else f"in {course.municipality}"
    )
    if funding:
        parts.append(f"{_funding_name(funding)} accepted")
    parts.append("free for you" if cost == 0 else f"costs {cost:.0f} €")
    parts.append(
        f"starts {course.start_date.isoformat()}"
        + (f", {course.schedule}" if course.schedule else "")
    )
    return Recommendation(
        course_id=course.course_id,
        provider_id=course.provider_id,
        title=course.title,
        teaches=sorted(teaches),
        modules=[m.module_id for m in course.modules if m.skills & teaches],
        distance_km=_rounded(km),
        cost_eur=cost,
        funding_used=funding,
        start_date=course.start_date,
        explanation="; ".join(parts),
    )


def _funding_name(scheme: str) -> str:
    return {
        "bildungsgutschein": "Bildungsgutschein",
        "aufstiegs-bafoeg": "Aufstiegs-BAföG",
        "bildungsurlaub": "Bildungsurlaub",
    }.get(scheme, scheme)
