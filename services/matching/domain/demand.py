"""Regional demand against supply, per skill or occupation and horizon; when a gap is news.

Plain Python, no I/O. Horizons are cumulative: `medium` covers everything due within three
years, so its demand includes short-term reports and its supply every seat starting within
three years. Waitlists and unplaced round applicants are demand now, so they count in
every horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Horizon(StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


ORDER = [Horizon.SHORT, Horizon.MEDIUM, Horizon.LONG]
WINDOW_DAYS = {Horizon.SHORT: 365, Horizon.MEDIUM: 3 * 365, Horizon.LONG: None}


def covered(horizon: Horizon) -> list[str]:
    """Report horizons that a view of `horizon` includes."""
    return [h.value for h in ORDER[: ORDER.index(horizon) + 1]]


def horizons_seeing(reported: Horizon) -> list[Horizon]:
    """Views whose demand changes when a report for `reported` arrives."""
    return ORDER[ORDER.index(reported) :]


def supply_until(horizon: Horizon, today: date) -> date | None:
    days = WINDOW_DAYS[horizon]
    return today + timedelta(days=days) if days is not None else None


@dataclass(frozen=True, slots=True)
class DemandLine:
    """One skill or occupation in one municipality (or the region when None) and horizon."""

    key: str
    kind: str  # skill | occupation
    municipality: str | None
    horizon: Horizon
    reported: int = 0
    waitlisted: int = 0
    unplaced: int = 0
    supply: int = 0

    @property
    def demand(self) -> int:
        return self.reported + self.waitlisted + self.unplaced

    @property
    def gap(self) -> int:
        return self.demand - self.supply


@dataclass(frozen=True, slots=True)
class Crossing:
    publish: bool
    above: bool


def crossing(was_above: bool, gap: int, threshold: int) -> Crossing:
    """Publish when the gap rises to the threshold; stay quiet until it has fallen below again."""
    above = gap >= threshold
    return Crossing(publish=above and not was_above, above=above)


def trend(monthly: list[int]) -> str:
    """rising, falling or steady: the last three months of reports against the three before."""
    recent, before = sum(monthly[-3:]), sum(monthly[-6:-3])
    if recent > before:
        return "rising"
    if recent < before:
        return "falling"
    return "steady"
