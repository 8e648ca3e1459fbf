"""The region's education report: periods, small cells suppressed, trends. Plain Python.

A cell counts learners (participants, waitlisted, completions, certificates). Any such count
from 1 to 4 is published as null with `suppressed: true`, so no published figure describes
fewer than five learners; 0 is published (it describes nobody). Courses and seats describe
no learner and are always published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from services.cooperative.domain.suppression import Group, protect
from zll.platform.errors import Problem, Refused

SMALLEST = 5
LEARNER_COUNTS = ("participants", "waitlisted", "completions", "certificates")
_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar year (2026), quarter (2026-Q1) or month (2026-03)."""

    name: str
    start: date
    end: date  # inclusive

    def previous(self) -> Period:
        return _shifted(self, -1)


def period(name: str) -> Period:
    found = _PERIOD.match(name)
    part = found.group(2) if found else None
    month = int(part) if part and not part.startswith("Q") else 1
    if found is None or not 1 <= month <= 12 or not 1901 <= int(found.group(1)) <= 2999:
        raise Refused([Problem(
            "period", f"period must be YYYY, YYYY-Qn or YYYY-MM, not {name!r}",
            f"Der Zeitraum muss ein Jahr (2026), ein Quartal (2026-Q1) oder ein Monat "
            f"(2026-03) sein; angegeben war „{name[:40]}“.",
            f"The period must be a year (2026), a quarter (2026-Q1) or a month (2026-03); "
            f"given was '{name[:40]}'.",
        )])  # fmt: skip
    year, part = int(found.group(1)), found.group(2)
    if part is None:
        return Period(name, date(year, 1, 1), date(year, 12, 31))
    if part.startswith("Q"):
        first = 3 * (int(part[1]) - 1) + 1
        return Period(name, date(year, first, 1), _month_end(year, first + 2))
    return Period(name, date(year, month, 1), _month_end(year, month))


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _shifted(p: Period, by: int) -> Period:
    year, _, part = p.name.partition("-")
    if not part:
        return period(str(int(year) + by))
    if part.startswith("Q"):
        index = int(year) * 4 + int(part[1]) - 1 + by
        return period(f"{index // 4}-Q{index % 4 + 1}")
    index = int(year) * 12 + int(part) - 1 + by
    return period(f"{index // 12}-{index % 12 + 1:02d}")


def history(p: Period, count: int) -> list[Period]:
    """`count` periods before `p`, oldest first."""
    out: list[Period] = []
    current = p
    for _ in range(count):
        current = current.previous()
        out.insert(0, current)
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    """One life phase × municipality × field in one period."""

    life_phase: str
    municipality: str
    field: str
    courses: int
    seats: int
    participants: int | None
    waitlisted: int | None
    completions: int | None
    certificates: int | None
    suppressed: bool = False
    withheld: tuple[str, ...] = ()  # counts hidden though not small: they would give one away

    @property
    def waitlist_pressure(self) -> float | None:
        """Waitlisted per seat: above 0 means people wanted in and could not get a seat."""
        if self.waitlisted is None or not self.seats:
            return None
        return round(self.waitlisted / self.seats, 3)


def suppress(cell: Cell) -> Cell:
    """The cell with every learner count from 1 to 4 left out (null), and marked."""
    small = {
        name: None
        for name in LEARNER_COUNTS
        if (value := getattr(cell, name)) is not None and 0 < value < SMALLEST
    }
    return replace(cell, **small, suppressed=bool(small)) if small else cell  # type: ignore[arg-type]


def suppress_table(rows: Sequence[tuple[str, Cell]]) -> list[Cell]:
    """Primary and secondary suppression over the report's table: `rows` are (level, cell)
    with level `cell`, `life-phase`, `municipality` or `region`. For each learner count, the
    groups are each life phase's total and its cells, each municipality's total and its cells,
    and the region's total with the life phases' totals, the municipalities' totals and all
    cells; see `suppression`. Returns the cells in the same order, hidden counts null."""
    by_level: dict[str, list[int]] = {}
    for index, (level, _) in enumerate(rows):
        by_level.setdefault(level, []).append(index)
    cells = by_level.get("cell", [])
    groups: list[Group[int]] = []
    for total in by_level.get("life-phase", []):
        phase = rows[total][1].life_phase
        groups.append(Group(total, tuple(i for i in cells if rows[i][1].life_phase == phase)))
    for total in by_level.get("municipality", []):
        place = rows[total][1].municipality
        groups.append(Group(total, tuple(i for i in cells if rows[i][1].municipality == place)))
    for region in by_level.get("region", []):
        for parts in ("life-phase", "municipality", "cell"):
            groups.append(Group(region, tuple(by_level.get(parts, []))))
    hidden: dict[int, dict[str, None]] = {}
    withheld: dict[int, list[str]] = {}
    for name in LEARNER_COUNTS:
        values = {i: getattr(cell, name) or 0 for i, (_, cell) in enumerate(rows)}
        primary = {i for i, count in values.items() if 0 < count < SMALLEST}
        for index in protect(values, primary, groups):
            hidden.setdefault(index, {})[name] = None
            if index not in primary:
                withheld.setdefault(index, []).append(name)
    return [replace(cell, **hidden[i], suppressed=True, withheld=tuple(withheld.get(i, ())))  # type: ignore[arg-type]
            if i in hidden else cell for i, (_, cell) in enumerate(rows)]  # fmt: skip


def published(count: int) -> int | None:
    """One learner count on its own: null when it would describe fewer than five learners."""
    return None if 0 < count < SMALLEST else count


def trend(now: int | None, before: list[int | None]) -> str | None:
    """rising, falling or steady against the mean of earlier periods (None if unknown)."""
    known = [b for b in before if b is not None]
    if now is None or not known:
        return None
    mean = sum(known) / len(known)
    if now > mean * 1.05:
        return "rising"
    if now < mean * 0.95:
        return "falling"
    return "steady"
