"""Anrechnung: a module passed at one provider counts at another, with its reason."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.enrolment.recognition import (
    Achievement,
    Case,
    Coverage,
    Decision,
    Declaration,
    RecognitionError,
    coverage,
    terms,
)

TODAY = date(2027, 3, 1)
FIBU = "http://data.europa.eu/esco/skill/fibu"
TAX = "http://data.europa.eu/esco/skill/tax"
COURSE = [
    {"module_id": "m1", "title": "Grundlagen", "workload_hours": 20},
    {"module_id": "m2", "title": "Buchführung", "workload_hours": 40},
    {"module_id": "m3", "title": "Steuern", "workload_hours": 30},
]


def passed(
    module: str = "fibu-1",
    *,
    year: int = 2026,
    eqf: int = 4,
    hours: float = 40,
    skills: frozenset[str] = frozenset({FIBU}),
    external: bool = False,
    source: str = "cert-1",
) -> Achievement:
    return Achievement(
        source, "vhs-kassel", "VHS Kassel", "vhs-kassel:fibu", module, "Finanzbuchhaltung I",
        date(year, 6, 30), eqf, hours, skills, external,
    )  # fmt: skip


def rule(module: str = "m2", **conditions: object) -> Declaration:
    return Declaration(f"d-{module}", "bz-nord", "bz-nord:kfm", module, **conditions)  # type: ignore[arg-type]


def test_a_named_module_of_another_provider_is_recognised_with_its_reason() -> None:
    named = rule(named=("vhs-kassel", "vhs-kassel:fibu", "fibu-1"))
    found = coverage(COURSE, [named], [passed()], TODAY)
    assert [c.module_id for c in found.covered] == ["m2"]
    assert found.covered[0].reason_de == (
        "Modul 2 wird angerechnet: Finanzbuchhaltung I, VHS Kassel, 2026, EQF 4, 40 h"
    )
    assert found.covered[0].reason_en.startswith("Module 2 is recognised: Finanzbuchhaltung I")
    assert [m["module_id"] for m in found.remaining] == ["m1", "m3"]
    assert found.remaining_workload_hours == 50


def test_a_rule_needs_every_skill_the_level_the_workload_and_a_recent_date() -> None:
    strict = rule(skills=frozenset({FIBU}), min_eqf_level=4, min_workload_hours=40, max_age_years=3)
    assert strict.accepts(passed(), TODAY)
    assert not strict.accepts(passed(skills=frozenset({TAX})), TODAY)
    assert not strict.accepts(passed(eqf=3), TODAY)
    assert not strict.accepts(passed(hours=39.5), TODAY)
    assert not strict.accepts(passed(year=2023), TODAY)
    assert rule(skills=frozenset({FIBU}), max_age_years=4).accepts(passed(year=2023), TODAY)


def test_external_evidence_counts_only_where_the_provider_says_so() -> None:
    badge = passed(external=True, source="badge-1")
    assert not rule(skills=frozenset({FIBU})).accepts(badge, TODAY)
    assert rule(skills=frozenset({FIBU}), accepts_external=True).accepts(badge, TODAY)
    named = rule(named=("vhs-kassel", "vhs-kassel:fibu", "fibu-1"), accepts_external=True)
    assert not named.accepts(badge, TODAY)  # a named module is one of the region's own


def test_one_achievement_covers_one_module_only() -> None:
    both = [rule("m2", skills=frozenset({FIBU})), rule("m3", skills=frozenset({FIBU}))]
    found = coverage(COURSE, both, [passed()], TODAY)
    assert [c.module_id for c in found.covered] == ["m2"]
    two = coverage(COURSE, both, [passed(), passed(source="cert-2")], TODAY)
    assert [c.module_id for c in two.covered] == ["m2", "m3"]


def test_a_provider_declares_only_for_its_own_modules() -> None:
    declaration = rule(skills=frozenset({FIBU}))
    declaration.validate("bz-nord", ["m1", "m2"])
    with pytest.raises(RecognitionError, match="Only bz-nord") as refused:
        declaration.validate("vhs-kassel", ["m1", "m2"])
    assert refused.value.field == "provider_id"
    with pytest.raises(RecognitionError, match="not a module"):
        declaration.validate("bz-nord", ["m1"])
    with pytest.raises(RecognitionError, match="at least one condition"):
        rule().validate("bz-nord", ["m2"])


achievements = st.builds(
    passed,
    module=st.sampled_from(["fibu-1", "fibu-2", "tax-1"]),
    year=st.integers(2015, 2027),
    eqf=st.integers(1, 8),
    hours=st.sampled_from([8, 20, 40, 80]),
    skills=st.frozensets(st.sampled_from([FIBU, TAX]), max_size=2),
    external=st.booleans(),
    source=st.sampled_from(["c1", "c2", "c3", "b1"]),
)
declarations = st.builds(
    rule,
    st.sampled_from(["m1", "m2", "m3"]),
    skills=st.frozensets(st.sampled_from([FIBU, TAX]), max_size=2),
    min_eqf_level=st.none() | st.integers(1, 8),
    max_age_years=st.none() | st.integers(1, 10),
    accepts_external=st.booleans(),
)


@given(st.lists(declarations, max_size=6), st.lists(achievements, max_size=8))
def test_every_module_is_either_covered_for_a_reason_or_remains(
    rules: list[Declaration], record: list[Achievement]
) -> None:
    found: Coverage = coverage(COURSE, rules, record, TODAY)
    covered = [c.module_id for c in found.covered]
    remaining = [m["module_id"] for m in found.remaining]
    assert sorted(covered + remaining) == ["m1", "m2", "m3"]
    for c in found.covered:
        assert any(r.module_id == c.module_id and r.accepts(c.achievement, TODAY) for r in rules)
    used = [(c.achievement.source_id, c.achievement.module_id) for c in found.covered]
    assert len(used) == len(set(used))
    assert coverage(COURSE, rules, list(reversed(record)), TODAY) == found  # order-free


@given(st.lists(achievements, max_size=8))
def test_without_declarations_nothing_is_recognised(record: list[Achievement]) -> None:
    assert coverage(COURSE, [], record, TODAY).covered == ()


def case() -> Case:
    return Case("r-1", "ada", "bz-nord", "bz-nord:kfm", ("m2", "m3"))


def decision(outcome: str, modules: tuple[str, ...], **more: object) -> Decision:
    return Decision(f"dec-{len(modules)}-{outcome}", outcome, modules, more.pop("reason", "ok"),  # type: ignore[arg-type]
                    str(more.pop("by", "bz-nord")), more.pop("supersedes", None))  # type: ignore[arg-type]  # fmt: skip


def test_the_provider_accepts_partly_with_a_reason() -> None:
    decided = case().decide(decision("partial", ("m2",), reason="Steuern: Nachweis zu alt"))
    assert decided.recognised == ("m2",)


def test_a_decision_is_final_unless_a_new_one_says_which_it_supersedes() -> None:
    first = case().decide(decision("refused", (), reason="Nachweis fehlt"))
    with pytest.raises(RecognitionError, match="supersede") as refused:
        first.decide(decision("accepted", ("m2", "m3")))
    assert refused.value.field == "supersedes"
    again = first.decide(decision("accepted", ("m2", "m3"), supersedes="dec-0-refused"))
    assert again.recognised == ("m2", "m3")
    assert [d.outcome for d in again.decisions] == ["refused", "accepted"]  # history stays


def test_only_the_courses_provider_decides_and_only_on_what_was_requested() -> None:
    with pytest.raises(RecognitionError, match="Only bz-nord"):
        case().decide(decision("accepted", ("m2", "m3"), by="vhs-kassel"))
    with pytest.raises(RecognitionError, match="Not requested: m1"):
        case().decide(decision("partial", ("m1",)))
    with pytest.raises(RecognitionError, match="gives a reason"):
        case().decide(decision("refused", (), reason=" "))
    with pytest.raises(RecognitionError, match="every requested"):
        case().decide(decision("accepted", ("m2",)))
    with pytest.raises(RecognitionError, match="no decision to supersede"):
        case().decide(decision("accepted", ("m2", "m3"), supersedes="dec-x"))


def test_an_enrolment_for_the_remaining_modules_costs_and_weighs_only_those() -> None:
    after = terms(COURSE, 900.0, ["m2"])
    assert (after.recognised_modules, after.workload_hours, after.price_eur) == (("m2",), 50, 500)


def test_a_recognised_module_of_another_course_changes_nothing_here() -> None:
    after = terms(COURSE, 900.0, ["fibu-1"])
    assert (after.recognised_modules, after.workload_hours, after.price_eur) == ((), 90, 900)


def test_a_course_whose_price_is_not_known_yet_says_so() -> None:
    assert terms(COURSE, None, ["m2"]).price_eur is None
