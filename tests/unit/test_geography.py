"""One geography: catalog and matching ask the same module where a town is and what is near."""

from __future__ import annotations

from services.catalog import domain as catalog
from services.matching.domain import counselling, opportunities
from zll.platform import geography


def test_catalog_and_matching_share_one_geography() -> None:
    assert catalog.neighbours is geography.neighbours
    assert counselling.locate is geography.locate
    assert opportunities.locate is geography.locate


def test_every_town_with_a_centre_belongs_to_a_partner_region() -> None:
    regions = geography.REGIONS
    assert set(regions) == {geography.KASSEL, geography.LIPPE}
    assert set().union(*regions.values()) == set(geography.TOWNS)
    assert geography.region_of("Wolfhagen") == geography.KASSEL
    assert geography.region_of("Schlangen") == geography.LIPPE
    assert geography.region_of("Berlin") is None


def test_neighbours_are_other_towns_of_the_same_region_whatever_the_case() -> None:
    assert geography.neighbours("Kassel", "wolfhagen")  # matching knew it, catalog did not
    assert not geography.neighbours("Kassel", "KASSEL")
    assert not geography.neighbours("Kassel", "Lemgo")


def test_a_postcode_or_town_anywhere_in_germany_has_a_centre() -> None:
    berlin, munich = geography.locate("10115"), geography.locate("München")
    assert berlin is not None
    assert munich is not None
    assert 500 < geography.haversine_km(berlin, munich) < 520  # Berlin–München, as the crow flies
    kassel = geography.locate("34117")
    assert kassel is not None
    assert geography.haversine_km(kassel, geography.TOWNS["kassel"]) < 5
    assert geography.locate("Calden") == geography.TOWNS["calden"]  # the region's own list wins
    assert geography.locate("99999") is None
    assert geography.locate("Atlantis") is None


def test_a_course_s_own_coordinates_win_then_its_postcode_then_its_town() -> None:
    assert geography.course_point(50.0, 8.0, "10115", "Kassel") == (50.0, 8.0)
    assert geography.course_point(None, None, "10115", "Kassel") == geography.locate("10115")
    assert geography.course_point(None, None, None, "Kassel") == geography.TOWNS["kassel"]


def test_nuts3_codes_for_postcodes_and_towns_of_all_germany() -> None:
    assert geography.nuts3("34117") == "DE731"  # Kassel, kreisfreie Stadt
    assert geography.nuts3("34225") == "DE734"  # Baunatal, Landkreis Kassel
    assert geography.nuts3("Göttingen") == "DE91C"
    assert geography.nuts3("Berlin") == "DE300"
    assert geography.nuts3("Atlantis") is None
    assert geography.nuts3("99999") is None
    # The region's own towns lie in its three Kreise.
    expected = {geography.KASSEL: {"DE731", "DE734"}, geography.LIPPE: {"DEA45"}}
    for region, towns in geography.REGIONS.items():
        assert {geography.nuts3(town) for town in towns} == expected[region], region
    by_postcode, _ = geography._nuts3()
    assert len(set(by_postcode.values())) == 400  # Germany's Kreise and kreisfreie Städte
