"""Demand against supply: cumulative horizons, gaps, one event per crossing, trends."""

from __future__ import annotations

from datetime import date

from services.matching.domain.demand import (
    DemandLine,
    Horizon,
    covered,
    crossing,
    horizons_seeing,
    supply_until,
    trend,
)


def test_a_longer_horizon_includes_the_shorter_ones() -> None:
    assert covered(Horizon.SHORT) == ["short"]
    assert covered(Horizon.LONG) == ["short", "medium", "long"]
    assert horizons_seeing(Horizon.MEDIUM) == [Horizon.MEDIUM, Horizon.LONG]


def test_supply_counts_seats_starting_within_the_horizon() -> None:
    today = date(2027, 1, 1)
    assert supply_until(Horizon.SHORT, today) == date(2028, 1, 1)
    assert supply_until(Horizon.LONG, today) is None


def test_the_gap_is_all_demand_minus_supply() -> None:
    line = DemandLine(
        "s", "skill", "Kassel", Horizon.SHORT, reported=8, waitlisted=3, unplaced=2, supply=5
    )
    assert (line.demand, line.gap) == (13, 8)


def test_a_gap_is_news_once_per_crossing() -> None:
    threshold, above, published = 10, False, []
    for gap in [3, 9, 10, 14, 20, 6, 12, 12]:
        outcome = crossing(above, gap, threshold)
        above = outcome.above
        published.append(outcome.publish)
    assert published == [False, False, True, False, False, False, True, False]


def test_trend_compares_the_last_three_months_with_the_three_before() -> None:
    assert trend([1, 1, 1, 2, 2, 2]) == "rising"
    assert trend([5, 0, 0, 1, 0, 0]) == "falling"
    assert trend([0, 0, 0, 0, 0, 0]) == "steady"
