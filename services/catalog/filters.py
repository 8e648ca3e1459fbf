"""The search filters as SQL: the WHERE clauses over `course_ranking` for the filters of
`GET /courses` and `/courses/facets`, a radius among them (the point index's box, then the
great-circle distance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import cos, radians
from typing import Any


@dataclass(frozen=True, slots=True)
class CourseFilter:
    q: str | None = None
    municipality: str | None = None
    format: str | None = None
    provider_id: str | None = None
    starts_after: date | None = None
    starts_before: date | None = None
    skill: str | None = None
    eqf_levels: tuple[int, ...] | None = None  # any module at one of these levels
    funding: str | None = None
    target_group: str | None = None
    max_price: float | None = None
    # The words of `q` with their compound parts and typo corrections (query.expand), for
    # to_tsquery; None: `q` as written.
    terms: str | None = None
    # Near me: courses at most `radius_km` from this (lat, lon).
    near: tuple[float, float] | None = None
    radius_km: float = 25.0


class Where:
    """Collects WHERE clauses with numbered parameters."""

    def __init__(self) -> None:
        self.clauses = ["status = 'live'"]
        self.args: list[Any] = []

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, clause: str) -> None:
        self.clauses.append(clause)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


def filtered(where: CourseFilter, *, box: bool = True) -> Where:
    """The filter's WHERE clauses. `box=False` leaves the radius's box out of the point index
    (for a walk in result order through a radius that holds many courses)."""
    w = Where()
    if where.q:
        w.add(f"search @@ {text_query(w, where)}")
    for column, value in (
        ("municipality", where.municipality),
        ("format", where.format),
        ("provider_id", where.provider_id),
    ):
        if value is not None:
            w.add(f"{column} = {w.arg(value)}")
    for column, value in (
        ("skills", where.skill),
        ("funding", where.funding),
        ("target_groups", where.target_group),
    ):
        if value is not None:
            w.add(f"{column} @> ARRAY[{w.arg(value)}::text]")
    if where.eqf_levels is not None:
        w.add(f"eqf_levels && {w.arg(list(where.eqf_levels))}::int[]")
    if where.starts_after is not None:
        w.add(f"start_date > {w.arg(where.starts_after)}")
    if where.starts_before is not None:
        w.add(f"start_date < {w.arg(where.starts_before)}")
    if where.max_price is not None:
        w.add(f"price_eur <= {w.arg(where.max_price)}")
    if where.near is not None:
        within(w, where.near, where.radius_km, box=box)
    return w


def box_around(here: tuple[float, float], km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) around `here` holding every point `km` away."""
    lat, lon = here
    dlat = km / 111.0
    dlon = km / (111.0 * max(cos(radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# The box around a radius, as the point index (course_ranking_near, migration 009) reads it.
IN_BOX = "place <@ box(point({2}, {0}), point({3}, {1}))"


def within(w: Where, here: tuple[float, float], km: float, *, box: bool) -> None:
    """Courses within `km` of `here`: a box first (through the point index with `box`), then
    the great-circle distance (haversine, as geography.haversine_km)."""
    lat, lon = here
    bounds = [w.arg(b) for b in box_around(here, km)]
    la, lo = w.arg(lat), w.arg(lon)
    if box:
        w.add(IN_BOX.format(*bounds))
    else:
        w.add(f"lat BETWEEN {bounds[0]} AND {bounds[1]}")
        w.add(f"lon BETWEEN {bounds[2]} AND {bounds[3]}")
    w.add(
        f"2 * 6371.0 * asin(sqrt(sin(radians(lat - {la}) / 2) ^ 2 + cos(radians({la}))"
        f" * cos(radians(lat)) * sin(radians(lon - {lo}) / 2) ^ 2)) <= {w.arg(km)}"
    )


def text_query(w: Where, where: CourseFilter) -> str:
    """SQL: the user's words as a German full text query (the indexer folds the same way)."""
    if where.terms:
        return f"to_tsquery('german', catalog_unaccent({w.arg(where.terms)}))"
    return f"websearch_to_tsquery('german', catalog_unaccent({w.arg(where.q or '')}))"
