"""Which internships, apprenticeships and jobs fit a learner, and why (plain Python, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.matching.domain.counselling import Label, Profile
from zll.platform.geography import haversine_km, locate


@dataclass(frozen=True, slots=True)
class Opportunity:
    opportunity_id: str
    partner_id: str
    kind: str
    title: str
    required_skills: frozenset[str]
    municipality: str
    seats: int
    start_date: date


@dataclass(frozen=True, slots=True)
class OpportunityFit:
    opportunity_id: str
    partner_id: str
    kind: str
    title: str
    municipality: str
    start_date: date
    held: list[str]
    learnable: list[str]
    missing: list[str]
    distance_km: float | None
    explanation: str


def fitting(
    profile: Profile,
    opportunities: Iterable[Opportunity],
    today: date,
    label: Label,
    learnable: frozenset[str] = frozenset(),
    limit: int = 10,
) -> list[OpportunityFit]:
    """Open opportunities within reach whose skills the learner holds or will learn."""
    found: list[tuple[tuple[float, ...], OpportunityFit]] = []
    for o in opportunities:
        if o.seats <= 0 or o.start_date < today:
            continue
        km = _distance(profile, o)
        if not _within_reach(profile, o, km):
            continue
        held = o.required_skills & profile.held_skills
        soon = (o.required_skills & learnable) - held
        if not held and not soon:
            continue
        missing = o.required_skills - held - soon
        fit = OpportunityFit(
            o.opportunity_id,
            o.partner_id,
            o.kind,
            o.title,
            o.municipality,
            o.start_date,
            sorted(held),
            sorted(soon),
            sorted(missing),
            round(km, 1) if km is not None else None,
            _explain(o, held, soon, km, label),
        )
        found.append(((len(missing), -len(held), km or 0.0, o.start_date.toordinal()), fit))
    found.sort(key=lambda pair: (pair[0], pair[1].opportunity_id))
    return [fit for _, fit in found[:limit]]


def _within_reach(profile: Profile, o: Opportunity, km: float | None) -> bool:
    if profile.travel_km is None:
        return True
    if km is None:  # a place we cannot locate is near only when it is the learner's own town
        return o.municipality.lower() == (profile.municipality or "").lower()
    return km <= profile.travel_km


def _distance(profile: Profile, o: Opportunity) -> float | None:
    here, there = locate(profile.municipality), locate(o.municipality)
    return haversine_km(here, there) if here and there else None


def _explain(
    o: Opportunity, held: frozenset[str], soon: frozenset[str], km: float | None, label: Label
) -> str:
    needed = len(o.required_skills)
    parts = [f"you hold {len(held)} of the {needed} skills this {o.kind} asks for"]
    if held:
        parts[0] += f" ({', '.join(sorted(label(s) for s in held))})"
    if soon:
        parts.append(f"your pathway teaches {len(soon)} more")
    parts.append(f"{km:.0f} km away" if km is not None else f"in {o.municipality}")
    parts.append(f"starts {o.start_date.isoformat()}")
    return "; ".join(parts)
