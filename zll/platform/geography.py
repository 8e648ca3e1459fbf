"""The region's one geography: its towns, which partner region each lies in, where it is.

Catalog (overlaps between neighbouring towns) and matching (travel distance, demand by
area) both ask this module, so they cannot disagree about where a town is or what is near
(they kept two lists once: catalog 13 towns, matching 24). No I/O: a domain may import it.

The coordinates are the centres of the municipalities of the city and county of Kassel and
of the county of Lippe (WGS84, rounded to about 1 km, from public gazetteers). A course may
carry its own lat/lon, which wins. Names are matched case-insensitively.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0

KASSEL = "Stadt und Landkreis Kassel"
LIPPE = "Kreis Lippe"

TOWNS: dict[str, tuple[float, float]] = {
    # City and county of Kassel
    "kassel": (51.3127, 9.4797),
    "ahnatal": (51.3667, 9.4000),
    "bad karlshafen": (51.6433, 9.4500),
    "baunatal": (51.2516, 9.4098),
    "calden": (51.4100, 9.4000),
    "espenau": (51.3867, 9.4817),
    "fuldabrück": (51.2483, 9.4950),
    "fuldatal": (51.3500, 9.5333),
    "grebenstein": (51.4467, 9.4117),
    "habichtswald": (51.3167, 9.3333),
    "helsa": (51.2600, 9.6900),
    "hofgeismar": (51.4966, 9.3847),
    "immenhausen": (51.4267, 9.4800),
    "kaufungen": (51.2817, 9.6197),
    "lohfelden": (51.2667, 9.5333),
    "naumburg": (51.2467, 9.1667),
    "nieste": (51.3150, 9.6750),
    "niestetal": (51.3083, 9.5667),
    "schauenburg": (51.2833, 9.3500),
    "söhrewald": (51.2167, 9.5833),
    "trendelburg": (51.5733, 9.4233),
    "vellmar": (51.3580, 9.4700),
    "wolfhagen": (51.3267, 9.1700),
    "zierenberg": (51.3683, 9.3017),
    # County of Lippe
    "augustdorf": (51.9083, 8.7333),
    "bad salzuflen": (52.0863, 8.7447),
    "barntrup": (51.9900, 9.1167),
    "blomberg": (51.9431, 9.0900),
    "detmold": (51.9386, 8.8792),
    "dörentrup": (52.0333, 9.0000),
    "extertal": (52.0667, 9.1000),
    "horn-bad meinberg": (51.8833, 8.9667),
    "kalletal": (52.1167, 8.9500),
    "lage": (51.9900, 8.7917),
    "lemgo": (52.0283, 8.9011),
    "leopoldshöhe": (52.0167, 8.7000),
    "lügde": (51.9581, 9.2486),
    "oerlinghausen": (51.9550, 8.6617),
    "schieder-schwalenberg": (51.8775, 9.1919),
    "schlangen": (51.8089, 8.8458),
}


# The partner region of each town: the towns of one region count as neighbours. The two
# counties lie apart north to south: Kassel's towns south of 51.7° N, Lippe's north of it.
_REGION_OF: dict[str, str] = {
    name: (KASSEL if lat < 51.7 else LIPPE) for name, (lat, _lon) in TOWNS.items()
}
REGIONS: dict[str, frozenset[str]] = {
    region: frozenset(name for name, of in _REGION_OF.items() if of == region)
    for region in (KASSEL, LIPPE)
}
"""Each partner region's towns, by their lower-case names."""


def region_of(municipality: str | None) -> str | None:
    """The partner region a municipality belongs to, if it is one of the region's towns."""
    return _REGION_OF.get(municipality.strip().lower()) if municipality else None


def neighbours(a: str, b: str) -> bool:
    """Two different towns of the same partner region."""
    region = region_of(a)
    return region is not None and a.strip().lower() != b.strip().lower() and region == region_of(b)


def town(municipality: str | None) -> tuple[float, float] | None:
    """The centre of a known municipality, else None."""
    return TOWNS.get(municipality.strip().lower()) if municipality else None


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(h))


def towns_within(here: tuple[float, float], km: float) -> list[str]:
    """The known towns (lower case) whose centres are at most `km` from `here`."""
    return [name for name, centre in TOWNS.items() if haversine_km(here, centre) <= km]
