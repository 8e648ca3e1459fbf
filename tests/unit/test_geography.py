"""One geography: catalog and matching ask the same module where a town is and what is near."""

from __future__ import annotations

from services.catalog import domain as catalog
from services.matching.domain import counselling, opportunities
from zll.platform import geography


def test_catalog_and_matching_share_one_geography() -> None:
    assert catalog.neighbours is geography.neighbours
    assert counselling.town is geography.town
    assert opportunities.town is geography.town


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
