"""Opportunities fit a learner who holds, or will learn, what they ask for, within reach."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.matching.domain.counselling import Profile
from services.matching.domain.opportunities import Opportunity, fitting

TODAY = date(2027, 1, 1)
WELD, CUT, LIFT = "weld", "cut", "lift"
LEARNER = Profile(
    goal_skills=frozenset({WELD, CUT}),
    held_skills=frozenset({WELD}),
    municipality="Lemgo",
    travel_km=15,
)
JOB = Opportunity("job", "betrieb", "apprenticeship", "Ausbildung", frozenset({WELD, CUT, LIFT}),
                  "Detmold", 2, date(2027, 8, 1))  # fmt: skip


def test_an_opportunity_within_reach_explains_what_is_held_and_what_is_missing() -> None:
    (fit,) = fitting(LEARNER, [JOB], TODAY, str.upper, learnable=frozenset({CUT}))
    assert (fit.held, fit.learnable, fit.missing) == ([WELD], [CUT], [LIFT])
    assert fit.explanation == (
        "you hold 1 of the 3 skills this apprenticeship asks for (WELD); "
        "your pathway teaches 1 more; 10 km away; starts 2027-08-01"
    )


def test_too_far_full_past_or_unrelated_opportunities_are_left_out() -> None:
    others = [
        replace(JOB, opportunity_id="far", municipality="Kassel"),
        replace(JOB, opportunity_id="full", seats=0),
        replace(JOB, opportunity_id="past", start_date=date(2026, 12, 1)),
        replace(JOB, opportunity_id="other", required_skills=frozenset({LIFT})),
    ]
    assert fitting(LEARNER, others, TODAY, str.upper) == []


def test_fewer_missing_skills_rank_first() -> None:
    close = replace(JOB, opportunity_id="close", required_skills=frozenset({WELD}))
    ranked = fitting(LEARNER, [JOB, close], TODAY, str.upper)
    assert [f.opportunity_id for f in ranked] == ["close", "job"]
