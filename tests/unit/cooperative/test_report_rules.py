"""The report's rules: periods, cells under five learners hidden, trends; a project's life."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zll_contracts.payloads import Answer, ProjectState

from services.cooperative.domain import projects, report
from services.cooperative.domain.report import Cell, suppress
from zll.platform.errors import Refused


def cell(**counts: int | None) -> Cell:
    base = {"participants": 12, "waitlisted": 0, "completions": 7, "certificates": 7}
    return Cell("working-age", "Lemgo", "weld", 2, 30, **{**base, **counts})  # type: ignore[arg-type]


def test_a_cell_describing_fewer_than_five_learners_is_hidden_and_marked() -> None:
    hidden = suppress(cell(completions=3, certificates=3))
    assert (hidden.completions, hidden.certificates, hidden.suppressed) == (None, None, True)
    assert (hidden.participants, hidden.courses, hidden.seats) == (12, 2, 30)


def test_zero_and_five_are_published() -> None:
    shown = suppress(cell(waitlisted=0, completions=5, certificates=5))
    assert (shown.waitlisted, shown.completions, shown.suppressed) == (0, 5, False)


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=4, max_size=4))
def test_no_published_count_describes_one_to_four_learners(counts: list[int]) -> None:
    names = ("participants", "waitlisted", "completions", "certificates")
    out = suppress(cell(**dict(zip(names, counts, strict=True))))
    for name, given_count in zip(names, counts, strict=True):
        published = getattr(out, name)
        assert published is None or not 0 < published < 5
        assert published in (None, given_count)
    assert out.suppressed == any(0 < c < 5 for c in counts)


@pytest.mark.parametrize(
    ("name", "start", "end", "before"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-01"),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "2025-12"),
    ],
)
def test_periods_are_years_quarters_or_months(
    name: str, start: date, end: date, before: str
) -> None:
    p = report.period(name)
    assert (p.start, p.end, p.previous().name) == (start, end, before)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "26", "2026-Q5", "0000", "2026-1"])
def test_a_period_that_is_none_is_refused_with_the_reason(bad: str) -> None:
    with pytest.raises(Refused) as refused:
        report.period(bad)
    assert "Zeitraum" in (refused.value.problems[0].message_de or "")


def test_a_trend_compares_with_the_mean_of_earlier_periods() -> None:
    assert report.trend(120, [100, 100]) == "rising"
    assert report.trend(80, [100, None]) == "falling"
    assert report.trend(101, [100]) == "steady"
    assert report.trend(None, [100]) is None


def test_a_project_moves_only_along_its_life() -> None:
    assert projects.move(ProjectState.IDEA, ProjectState.CONSORTIUM, 0) is ProjectState.CONSORTIUM
    assert projects.move(ProjectState.SUBMITTED, ProjectState.REFUSED, 2) is ProjectState.REFUSED
    with pytest.raises(Refused):
        projects.move(ProjectState.IDEA, ProjectState.RUNNING, 2)
    with pytest.raises(Refused):
        projects.move(ProjectState.REFUSED, ProjectState.RUNNING, 2)


def test_a_project_is_submitted_only_with_members_that_joined() -> None:
    with pytest.raises(Refused) as refused:
        projects.move(ProjectState.CONSORTIUM, ProjectState.SUBMITTED, 0)
    assert "zugesagt" in (refused.value.problems[0].message_de or "")


def test_only_invited_members_answer_and_only_while_the_consortium_forms() -> None:
    projects.answer_allowed(ProjectState.CONSORTIUM, True, Answer.JOIN)
    with pytest.raises(Refused):
        projects.answer_allowed(ProjectState.CONSORTIUM, False, Answer.JOIN)
    with pytest.raises(Refused):
        projects.answer_allowed(ProjectState.SUBMITTED, True, Answer.DECLINE)
