"""A learner with prior certificates gets a shorter, cheaper pathway that says what it skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.matching.domain.counselling import CourseOffer, ModuleOffer, Profile, suitable
from services.matching.domain.pathways import Credit, credits_for, pathway, reduced_prices
from zll.platform.recognition import Achievement, Declaration

TODAY = date(2027, 1, 1)
S = "http://data.europa.eu/esco/skill/"
BASICS, FIBU, TAX, LAW = (S + s for s in ("basics", "fibu", "tax", "law"))

KFM = CourseOffer(
    course_id="bz-nord:kfm",
    provider_id="bz-nord",
    title="Kaufmännische Grundlagen",
    format="online",
    municipality=None,
    lat=None,
    lon=None,
    start_date=date(2027, 3, 1),
    end_date=date(2027, 6, 30),
    schedule=None,
    capacity=12,
    price_eur=900.0,
    funding=frozenset({"bildungsgutschein"}),
    target_groups=frozenset(),
    language="de",
    modules=(
        ModuleOffer("m1", "Grundlagen", 20, 4, frozenset({BASICS})),
        ModuleOffer("m2", "Buchführung", 40, 4, frozenset({FIBU})),
        ModuleOffer("m3", "Steuern", 30, 4, frozenset({TAX})),
    ),
)
FIBU_I = Achievement(
    "cert-1", "vhs-kassel", "vhs-kassel", "vhs-kassel:fibu", "fibu-1", "Finanzbuchhaltung I",
    date(2026, 6, 30), 4, 40, frozenset({S + "bookkeeping"}),
)  # fmt: skip
NAMED = Declaration(
    "fibu", "bz-nord", "bz-nord:kfm", "m2", named=("vhs-kassel", "vhs-kassel:fibu", "fibu-1")
)
REASON = "Modul 2 wird angerechnet: Finanzbuchhaltung I, vhs-kassel, 2026, EQF 4, 40 h"
WANTS = Profile(goal_skills=frozenset({BASICS, FIBU, TAX}))


def credited(decided: list[str] | None = None) -> dict[str, tuple[Credit, ...]]:
    return {KFM.course_id: credits_for(KFM, [NAMED], [FIBU_I], decided, TODAY)}


def test_without_a_record_the_whole_course_is_taken_and_paid_for() -> None:
    path = pathway(WANTS, [KFM], TODAY)
    assert sorted(s.module_id for s in path.steps) == ["m1", "m2", "m3"]
    assert (path.total_workload_hours, path.total_cost_eur, path.skipped) == (90, 900, [])


def test_a_recognisable_module_is_skipped_and_the_explanation_says_on_what_grounds() -> None:
    path = pathway(WANTS, [KFM], TODAY, credited())
    assert sorted(s.module_id for s in path.steps) == ["m1", "m3"]
    assert path.covers == sorted([BASICS, FIBU, TAX])  # Buchführung counts as covered
    assert path.explanation == [f"Kaufmännische Grundlagen: {REASON}"]
    assert [(c.module_id, c.decided) for c in path.skipped] == [("m2", False)]
    assert (path.total_workload_hours, path.saved_workload_hours) == (50, 40)
    assert (path.total_cost_eur, path.saved_eur) == (500, 400)  # 900 € × 50/90 h


def test_the_providers_decision_overrides_what_its_rules_would_cover() -> None:
    (accepted,) = credited(decided=["m2"])[KFM.course_id]
    assert (accepted.decided, accepted.reason_de) == (True, REASON)
    assert credited(decided=[])[KFM.course_id] == ()  # refused: nothing is skipped
    (only,) = credits_for(KFM, [], [], ["m3"], TODAY)  # recognised on other evidence
    assert only.reason_de == "Modul 3 wird angerechnet: von bz-nord anerkannt"


def test_a_funded_course_stays_free_and_saves_no_money() -> None:
    funded = replace(WANTS, funding=frozenset({"bildungsgutschein"}))
    path = pathway(funded, [KFM], TODAY, credited())
    assert (path.total_cost_eur, path.saved_eur, path.saved_workload_hours) == (0, 0, 40)


def test_a_credit_counts_only_where_the_course_is_booked_for_something_to_take() -> None:
    # Only m2 would be needed, and it is recognised: nothing to book, nothing skipped there.
    just_fibu = Profile(goal_skills=frozenset({FIBU}))
    path = pathway(just_fibu, [KFM], TODAY, credited())
    assert (path.steps, path.skipped, path.missing, path.total_cost_eur) == ([], [], [FIBU], 0)


def test_a_credit_does_not_make_another_course_clash_or_break_the_eqf_order() -> None:
    law = replace(
        KFM,
        course_id="vhs:law",
        provider_id="vhs",
        title="Recht",
        start_date=date(2027, 7, 1),
        end_date=date(2027, 7, 31),
        price_eur=100.0,
        modules=(ModuleOffer("l1", "Recht", 20, 4, frozenset({LAW})),),
    )
    wants_law = replace(WANTS, goal_skills=WANTS.goal_skills | {LAW})
    path = pathway(wants_law, [KFM, law], TODAY, credited())
    assert [(s.course_id, s.module_id) for s in path.steps][-1] == ("vhs:law", "l1")
    assert (path.total_cost_eur, path.missing) == (600, [])


def test_a_course_over_budget_fits_once_the_recognised_module_is_left_out() -> None:
    thrifty = replace(WANTS, budget_eur=600)
    assert suitable(thrifty, [KFM], TODAY) == []
    (fits,) = suitable(thrifty, [KFM], TODAY, reduced_prices(credited(), [KFM]))
    assert fits.cost_eur == 500
    assert pathway(thrifty, [KFM], TODAY, credited()).total_cost_eur == 500
