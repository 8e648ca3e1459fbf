"""A pathway: modules across courses that close the gap in a bookable order, minus credits.

Plain Python, no I/O. A greedy cover of the gap by modules that keeps dates and EQF levels in
step and never books two courses that run at the same time. A module the learner need not take
— recognised by the course's provider, or recognisable under its declared rules from what the
learner already passed ("Anrechnung", `zll.platform.recognition`, the same rules enrolment
applies) — is no step: it is listed as skipped with its reason, its hours are not counted, and
the course costs only what its remaining modules cost (`remaining_price`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.matching.domain.counselling import (
    CourseOffer,
    ModuleOffer,
    Profile,
    Suitable,
    funding_used,
    suitable,
)
from zll.platform.recognition import Achievement, Declaration, coverage, remaining_price


@dataclass(frozen=True, slots=True)
class Credit:
    """A module of a course the learner need not take, and why."""

    course_id: str
    module_id: str
    title: str
    workload_hours: float
    reason_de: str
    reason_en: str
    decided: bool  # True: the provider decided so; False: its declared rules say so


@dataclass(frozen=True, slots=True)
class PathwayStep:
    course_id: str
    module_id: str
    title: str
    eqf_level: int
    skills: list[str]
    start_date: date
    end_date: date
    workload_hours: float


@dataclass(frozen=True, slots=True)
class Pathway:
    steps: list[PathwayStep] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    total_workload_hours: float = 0.0
    total_cost_eur: float = 0.0
    skipped: list[Credit] = field(default_factory=list)  # of the courses booked
    saved_workload_hours: float = 0.0
    saved_eur: float = 0.0
    explanation: list[str] = field(default_factory=list)  # one line per skipped module


def module_dicts(course: CourseOffer) -> list[dict[str, Any]]:
    """The course's modules in the shape the recognition rules read."""
    return [
        {
            "module_id": m.module_id,
            "title": m.title,
            "workload_hours": m.workload_hours,
        }
        for m in course.modules
    ]


def credits_for(
    course: CourseOffer,
    declarations: Iterable[Declaration],
    achievements: Iterable[Achievement],
    decided: Sequence[str] | None,
    today: date,
) -> tuple[Credit, ...]:
    """The modules of `course` the learner need not take.

    Once the provider has decided on the learner's request, its latest decision alone counts
    (`decided`, even if the rules would cover more); before, what its declared rules cover.
    """
    covering = coverage(module_dicts(course), declarations, achievements, today)
    found = {c.module_id: c for c in covering.covered}
    credits = []
    for position, module in enumerate(course.modules, start=1):
        covered = found.get(module.module_id)
        if decided is None and covered is not None:
            credits.append(_credit(course, module, covered.reason_de, covered.reason_en, False))
        elif decided is not None and module.module_id in decided:
            why = covered.achievement.described() if covered else None
            credits.append(
                _credit(
                    course,
                    module,
                    f"Modul {position} wird angerechnet: "
                    + (why or f"von {course.provider_id} anerkannt"),
                    f"Module {position} is recognised: "
                    + (why or f"recognised by {course.provider_id}"),
                    True,
                )
            )
    return tuple(credits)


def _credit(
    course: CourseOffer, module: ModuleOffer, reason_de: str, reason_en: str, decided: bool
) -> Credit:
    return Credit(
        course.course_id,
        module.module_id,
        module.title,
        module.workload_hours,
        reason_de,
        reason_en,
        decided,
    )


def reduced_prices(
    credits: Mapping[str, Sequence[Credit]], courses: Iterable[CourseOffer]
) -> dict[str, float]:
    """Per course with credits, its price once every credited module is left out: what
    booking it costs the learner (before funding), for the budget and the ranking alike."""
    return {
        course.course_id: remaining_price(
            course.price_eur, module_dicts(course), [c.module_id for c in found]
        )
        for course in courses
        if (found := credits.get(course.course_id))
    }


def pathway(
    profile: Profile,
    courses: Sequence[CourseOffer],
    today: date,
    credits: Mapping[str, Sequence[Credit]] | None = None,
) -> Pathway:
    """Modules that together cover as much of the gap as possible, in a bookable order."""
    prices = reduced_prices(credits or {}, courses)
    return pathway_of(profile, suitable(profile, courses, today, prices), credits)


def pathway_of(
    profile: Profile, fit: list[Suitable], credits: Mapping[str, Sequence[Credit]] | None = None
) -> Pathway:
    """The pathway through the suitable courses (greedy: most new skills first).

    A credited module is never a step. Its skills count as covered once its course is booked
    for another module (recognition happens where one enrols), and on a tie it is chosen
    before a module that would have to be taken.
    """
    credits = credits or {}
    credited = {(c.course_id, c.module_id) for cs in credits.values() for c in cs}
    # Only a module teaching something still uncovered can be chosen, and `uncovered` only
    # shrinks: each round keeps just those modules, so later rounds look at few courses.
    candidates = [(s.course, s.course.modules) for s in fit]
    chosen: list[tuple[CourseOffer, ModuleOffer]] = []
    uncovered = set(profile.gap)
    while uncovered:
        candidates = [
            (course, useful)
            for course, modules in candidates
            if (useful := tuple(m for m in modules if not m.skills.isdisjoint(uncovered)))
        ]
        best_next = _best_next(candidates, chosen, uncovered, credited)
        if best_next is None:
            break
        chosen.append(best_next)
        uncovered -= best_next[1].skills
    chosen.sort(key=lambda pair: (pair[0].start_date, pair[1].eqf_level, pair[0].course_id))
    taken = [(c, m) for c, m in chosen if (c.course_id, m.module_id) not in credited]
    booked = {course.course_id: course for course, _ in taken}
    skipped = [credit for course_id in booked for credit in credits.get(course_id, ())]
    full, reduced = _costs(profile, booked.values(), skipped)
    return Pathway(
        steps=[
            PathwayStep(
                c.course_id,
                m.module_id,
                m.title,
                m.eqf_level,
                sorted(m.skills & profile.gap),
                c.start_date,
                c.end_date,
                m.workload_hours,
            )
            for c, m in taken
        ],
        covers=sorted(profile.gap - uncovered),
        missing=sorted(uncovered),
        total_workload_hours=sum(m.workload_hours for _, m in taken),
        total_cost_eur=reduced,
        skipped=skipped,
        saved_workload_hours=sum(c.workload_hours for c in skipped),
        saved_eur=round(full - reduced, 2),
        explanation=[f"{booked[c.course_id].title}: {c.reason_de}" for c in skipped],
    )


def _costs(
    profile: Profile, booked: Iterable[CourseOffer], skipped: Sequence[Credit]
) -> tuple[float, float]:
    """What the booked courses would cost the learner in full, and with the credits."""
    full = reduced = 0.0
    for course in booked:
        if funding_used(course, profile):
            continue  # a funding scheme they hold pays either way
        ids = [c.module_id for c in skipped if c.course_id == course.course_id]
        full += course.price_eur
        reduced += remaining_price(course.price_eur, module_dicts(course), ids)
    return round(full, 2), round(reduced, 2)


def _best_next(
    candidates: Sequence[tuple[CourseOffer, tuple[ModuleOffer, ...]]],
    chosen: list[tuple[CourseOffer, ModuleOffer]],
    uncovered: set[str],
    credited: set[tuple[str, str]],
) -> tuple[CourseOffer, ModuleOffer] | None:
    """The module teaching most uncovered skills that can still be booked; the first on a tie.

    A credited module qualifies only in a course already booked for a module to take.
    """
    taken = [(c, m) for c, m in chosen if (c.course_id, m.module_id) not in credited]
    booked = {c.course_id for c, _ in taken}
    best: tuple[tuple[float, ...], CourseOffer, ModuleOffer] | None = None
    for course, modules in candidates:
        if not _fits_beside(course, taken):
            continue
        for module in modules:
            new = len(module.skills & uncovered)
            free = (course.course_id, module.module_id) in credited
            if not new or (free and course.course_id not in booked):
                continue
            if not free and not _in_step(course, module, taken):
                continue
            key = (
                -new,
                not free,
                module.eqf_level,
                course.start_date.toordinal(),
                module.workload_hours,
            )
            if best is None or key < best[0]:
                best = (key, course, module)
    return (best[1], best[2]) if best else None


def _fits_beside(course: CourseOffer, chosen: list[tuple[CourseOffer, ModuleOffer]]) -> bool:
    """No clash: another course may not run while this one runs."""
    return all(
        other.course_id == course.course_id
        or course.end_date < other.start_date
        or other.end_date < course.start_date
        for other, _ in chosen
    )


def _in_step(
    course: CourseOffer, module: ModuleOffer, chosen: list[tuple[CourseOffer, ModuleOffer]]
) -> bool:
    """Lower EQF levels first: a later course never teaches below the level of an earlier one."""
    for other, other_module in chosen:
        if other.course_id == course.course_id:
            continue
        earlier = other.start_date < course.start_date
        if earlier and other_module.eqf_level > module.eqf_level:
            return False
        if not earlier and other_module.eqf_level < module.eqf_level:
            return False
    return True
