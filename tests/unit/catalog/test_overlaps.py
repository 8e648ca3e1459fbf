"""Overlap scoring: which offers of different providers compete for the same learners."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import combinations

from services.catalog import domain
from services.catalog.domain import Offer
from zll.demo.region import DELIBERATE_OVERLAPS, demo_courses

MAG = "http://data.europa.eu/esco/skill/mag"
TIG = "http://data.europa.eu/esco/skill/tig"
GEAR = "http://data.europa.eu/esco/skill/gear"


def offer(course_id: str, **changes: object) -> Offer:
    base = Offer(
        course_id=course_id,
        provider_id=course_id.split(":")[0],
        title="Schweißen Grundkurs",
        text="Schweißen Grundkurs MAG-Schweißen Schutzgas",
        municipality="Kassel",
        start=date(2027, 2, 1),
        end=date(2027, 3, 31),
        eqf_levels=(3,),
        skill_modules={MAG: "MAG-Schweißen", GEAR: "Arbeitsschutz"},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_demo_regions_two_planted_overlaps_and_nothing_else() -> None:
    offers = [Offer.of(c) for c in demo_courses()]
    found = {frozenset((o.a.course_id, o.b.course_id)) for o in domain.overlaps(offers)}
    assert found == {frozenset(pair) for pair in DELIBERATE_OVERLAPS}


def test_every_score_lies_between_zero_and_one() -> None:
    offers = [Offer.of(c) for c in demo_courses()]
    for a, b in combinations(offers, 2):
        found = domain.overlap(a, b)
        assert found is None or 0 <= found.score <= 1


def test_the_welding_overlap_is_explained_in_plain_german() -> None:
    courses = {c["course_id"]: Offer.of(c) for c in demo_courses()}
    a, b = (courses[i] for i in DELIBERATE_OVERLAPS[0])
    found = domain.overlap(a, b)
    assert found is not None
    assert "„MAG-Schweißen (135)“" in found.reason_de
    assert "in Kassel und Baunatal (Nachbargemeinden)" in found.reason_de
    assert "zeitgleich Feb–Mär 2027" in found.reason_de
    assert "neighbouring" in found.reason_en


def test_courses_of_the_same_provider_never_overlap() -> None:
    assert domain.overlap(offer("vhs-a:1"), offer("vhs-a:2")) is None


def test_identical_offers_of_two_providers_in_one_town_score_one() -> None:
    found = domain.overlap(offer("vhs-a:1"), offer("vhs-b:1"))
    assert found is not None
    assert found.score == 1.0


def test_no_overlap_without_a_shared_skill_or_common_dates_or_a_reachable_place() -> None:
    a = offer("vhs-a:1")
    assert domain.overlap(a, offer("vhs-b:1", skill_modules={TIG: "WIG"})) is None
    later = offer("vhs-b:1", start=date(2027, 9, 1), end=date(2027, 10, 1))
    assert domain.overlap(a, later) is None
    assert domain.overlap(a, offer("vhs-b:1", municipality="Detmold")) is None


def test_neighbouring_towns_and_distant_levels_lower_the_score() -> None:
    a = offer("vhs-a:1")
    same = domain.overlap(a, offer("vhs-b:1"))
    neighbour = domain.overlap(a, offer("vhs-b:1", municipality="Baunatal"))
    higher = domain.overlap(a, offer("vhs-b:1", eqf_levels=(5,)))
    assert same
    assert neighbour
    assert higher
    assert neighbour.score < same.score
    assert higher.score < same.score


def test_neighbours_are_towns_of_the_same_partner_region() -> None:
    assert domain.neighbours("Detmold", "Lemgo")
    assert domain.neighbours("Kassel", "Baunatal")
    assert not domain.neighbours("Kassel", "Detmold")
    assert not domain.neighbours("Kassel", "Kassel")


def test_text_matching_folds_umlauts_and_sharp_s() -> None:
    assert domain.words("Schweißen") == domain.words("schweissen")
    assert domain.jaccard(domain.words("Pflegekräfte"), domain.words("Pflegekraft")) == 1.0
