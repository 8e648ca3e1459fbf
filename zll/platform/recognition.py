"""Recognition rules ("Anrechnung"): which modules of a course a learner's achievements cover.

Pure: no I/O, no clock. Shared by the region's services so that enrolment (which decides and
certifies) and counselling (which plans a pathway) give the same reason for the same record.
A provider declares, for one module of its own course, what it recognises — a named module of
another provider's course, or a rule (ESCO skills covered, at least an EQF level, at least a
workload, not older than N years, external evidence or not). `coverage` says per module of a
target course which achievement covers it and why, in German and English; `remaining_price`
says what the modules still to take cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


class RecognitionError(ValueError):
    """A declaration or decision the region refuses, with the field and the reason."""

    def __init__(self, field_name: str, message_de: str, message_en: str) -> None:
        super().__init__(message_en)
        self.field = field_name
        self.message_de = message_de
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class Achievement:
    """One module a learner passed (our certificate) or evidence from outside (a badge)."""

    source_id: str  # certificate id or external evidence id
    provider_id: str
    provider_name: str
    course_id: str
    module_id: str
    title: str
    completed_on: date
    eqf_level: int
    workload_hours: float
    skills: frozenset[str] = frozenset()
    external: bool = False

    def described(self) -> str:
        return (
            f"{self.title}, {self.provider_name}, {self.completed_on.year}, "
            f"EQF {self.eqf_level}, {self.workload_hours:g} h"
        )


@dataclass(frozen=True, slots=True)
class Declaration:
    """What `provider_id` recognises for its module `course_id`/`module_id`.

    Either `named` (provider, course, module of another provider's course) or a rule made of
    the other fields; a rule needs at least one condition.
    """

    declaration_id: str
    provider_id: str
    course_id: str
    module_id: str
    named: tuple[str, str, str] | None = None
    skills: frozenset[str] = frozenset()
    min_eqf_level: int | None = None
    min_workload_hours: float | None = None
    max_age_years: int | None = None
    accepts_external: bool = False

    def validate(self, declared_by: str, own_modules: Iterable[str]) -> None:
        if declared_by != self.provider_id:
            raise RecognitionError(
                "provider_id",
                f"Nur {self.provider_id} selbst erklärt Anrechnungen für seine Module.",
                f"Only {self.provider_id} itself declares recognition for its modules.",
            )
        if self.module_id not in set(own_modules):
            raise RecognitionError(
                "module_id",
                f"„{self.module_id}“ ist kein Modul des Kurses {self.course_id}.",
                f"{self.module_id!r} is not a module of course {self.course_id}.",
            )
        rule = (self.skills, self.min_eqf_level, self.min_workload_hours, self.max_age_years)
        if self.named is None and not any(v for v in rule):
            raise RecognitionError(
                "named",
                "Nennen Sie ein Modul oder mindestens eine Bedingung.",
                "Name a module or at least one condition.",
            )

    def accepts(self, achievement: Achievement, today: date) -> bool:
        if achievement.external and not self.accepts_external:
            return False
        if achievement.provider_id == self.provider_id and achievement.course_id == self.course_id:
            return False  # a module of the same course is passed, not recognised
        if self.named is not None:
            named = (achievement.provider_id, achievement.course_id, achievement.module_id)
            return named == self.named and not achievement.external
        if not self.skills <= achievement.skills:
            return False
        if self.min_eqf_level is not None and achievement.eqf_level < self.min_eqf_level:
            return False
        if self.min_workload_hours is not None and (
            achievement.workload_hours < self.min_workload_hours
        ):
            return False
        return self.max_age_years is None or _years_between(
            achievement.completed_on, today
        ) <= float(self.max_age_years)


@dataclass(frozen=True, slots=True)
class Covered:
    module_id: str
    title: str
    position: int  # 1-based, as the course lists it
    achievement: Achievement
    declaration_id: str

    @property
    def reason_de(self) -> str:
        return f"Modul {self.position} wird angerechnet: {self.achievement.described()}"

    @property
    def reason_en(self) -> str:
        return f"Module {self.position} is recognised: {self.achievement.described()}"


@dataclass(frozen=True, slots=True)
class Coverage:
    covered: tuple[Covered, ...]
    remaining: tuple[Mapping[str, Any], ...]  # the course's module dicts still to take

    @property
    def remaining_workload_hours(self) -> float:
        return float(sum(m["workload_hours"] for m in self.remaining))


def coverage(
    modules: Sequence[Mapping[str, Any]],
    declarations: Iterable[Declaration],
    achievements: Iterable[Achievement],
    today: date,
) -> Coverage:
    """Per module of the target course, the first achievement a declaration accepts.

    Deterministic: achievements are tried newest first, then by source id, so the same
    record always yields the same reason. One achievement covers at most one module.
    """
    by_module: dict[str, list[Declaration]] = {}
    for declaration in declarations:
        by_module.setdefault(declaration.module_id, []).append(declaration)
    ordered = sorted(achievements, key=_newest_first)
    used: set[tuple[str, str]] = set()
    covered: list[Covered] = []
    remaining: list[Mapping[str, Any]] = []
    for position, module in enumerate(modules, start=1):
        found = _first_match(by_module.get(module["module_id"], []), ordered, used, today)
        if found is None:
            remaining.append(module)
            continue
        achievement, declaration_id = found
        used.add((achievement.source_id, achievement.module_id))
        covered.append(
            Covered(module["module_id"], module["title"], position, achievement, declaration_id)
        )
    return Coverage(tuple(covered), tuple(remaining))


def _newest_first(a: Achievement) -> tuple[Any, ...]:
    """A total order, so the same record always gives the same reasons."""
    return (
        -a.completed_on.toordinal(), a.source_id, a.module_id, -a.eqf_level,
        -a.workload_hours, a.external, sorted(a.skills), a.course_id, a.provider_id, a.title,
    )  # fmt: skip


def _first_match(
    declarations: Sequence[Declaration],
    achievements: Sequence[Achievement],
    used: set[tuple[str, str]],
    today: date,
) -> tuple[Achievement, str] | None:
    for achievement in achievements:
        if (achievement.source_id, achievement.module_id) in used:
            continue
        for declaration in declarations:
            if declaration.accepts(achievement, today):
                return achievement, declaration.declaration_id
    return None


def _years_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 365.25


def remaining_price(
    price_eur: float, modules: Sequence[Mapping[str, Any]], recognised: Iterable[str]
) -> float:
    """What the course costs when the `recognised` modules need not be taken.

    The rule, one for the region: the course's price shared out by workload — a module of 40
    of 90 hours is 4/9 of the price (the contract gives modules no price of their own).
    Nothing recognised: the course's own price. Rounded to the cent.
    """
    skipped = set(recognised) & {str(m["module_id"]) for m in modules}
    if not skipped:
        return round(price_eur, 2)
    total = sum(float(m["workload_hours"]) for m in modules)
    rest = sum(float(m["workload_hours"]) for m in modules if m["module_id"] not in skipped)
    return round(price_eur * rest / total, 2) if total else 0.0


def remaining_workload(modules: Sequence[Mapping[str, Any]], recognised: Iterable[str]) -> float:
    """The hours of the modules still to take."""
    skipped = set(recognised)
    return float(sum(m["workload_hours"] for m in modules if m["module_id"] not in skipped))
