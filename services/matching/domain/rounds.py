"""Allocation rounds: the learner-optimal stable matching by deferred acceptance with capacities.

Plain Python, no I/O. Learners propose down their rankings; each offer holds its best
applicants so far in a heap keyed by rank (worst on top), so a proposal costs one dict
look-up and at most one heap operation. Ids are interned to ints once, up front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from heapq import heappush, heapreplace
from typing import cast

from zll.platform.errors import Problem, Refused


class PriorityRule(StrEnum):
    """How an offer orders its applicants when it gives no explicit priority list.

    first-come: the order of the applications in the round (earlier application first).
    residents-first: learners whose municipality equals the offer's come first, each group
    in application order; an offer with this rule must name its municipality.
    Under a rule every applicant is acceptable; under a list only the learners it names.
    """

    FIRST_COME = "first-come"
    RESIDENTS_FIRST = "residents-first"


@dataclass(frozen=True, slots=True)
class Offer:
    """Seats (or places) in a round, and whom the offer prefers."""

    offer_id: str
    capacity: int
    # Best first; an entry that is itself a list is a tier of tied learners (see allocation).
    priority: Sequence[str | Sequence[str]] | None = None
    rule: PriorityRule | None = None
    municipality: str | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """One learner's ranking of offers, most wanted first."""

    learner_id: str
    ranking: Sequence[str]
    municipality: str | None = None
    groups: frozenset[str] = frozenset()  # quota groups the learner belongs to
    applied_at: datetime | None = None  # first-come order; equal times are ties


class RoundRefused(Refused):
    """The round's input breaks a rule; `problems` names each field."""


@dataclass(frozen=True, slots=True)
class RoundResult:
    """Who got what: every applicant is a key, None meaning no seat."""

    assignments: dict[str, str | None]
    filled: dict[str, int] = field(default_factory=dict)

    @property
    def unplaced(self) -> list[str]:
        return [learner for learner, offer in self.assignments.items() if offer is None]


def check_round(offers: Sequence[Offer], applications: Sequence[Application]) -> None:
    """Raise RoundRefused listing every broken rule; a valid round passes silently."""
    problems: list[Problem] = []
    seen_offers: set[str] = set()
    for index, offer in enumerate(offers):
        where = f"offers.{index}"
        if offer.offer_id in seen_offers:
            problems.append(Problem(f"{where}.offer_id", f"{offer.offer_id!r} appears twice"))
        seen_offers.add(offer.offer_id)
        if offer.capacity < 0:
            problems.append(Problem(f"{where}.capacity", "must be 0 or more"))
        if (offer.priority is None) == (offer.rule is None):
            problems.append(Problem(f"{where}.priority", "give either priority or rule"))
        if offer.rule is PriorityRule.RESIDENTS_FIRST and not offer.municipality:
            problems.append(Problem(f"{where}.municipality", "residents-first needs it"))
    seen_learners: set[str] = set()
    for index, application in enumerate(applications):
        where = f"applications.{index}"
        if application.learner_id in seen_learners:
            problems.append(Problem(f"{where}.learner_id", "this learner applied twice"))
        seen_learners.add(application.learner_id)
        if len(set(application.ranking)) != len(application.ranking):
            problems.append(Problem(f"{where}.ranking", "an offer is ranked twice"))
        unknown = [o for o in application.ranking if o not in seen_offers]
        if unknown:
            problems.append(Problem(f"{where}.ranking", f"unknown offer {unknown[0]!r}"))
    if problems:
        raise RoundRefused(problems)


def allocate(offers: Sequence[Offer], applications: Sequence[Application]) -> RoundResult:
    """The learner-optimal stable matching (unique for strict priorities): plain deferred
    acceptance without quotas, ties or waves (those are `allocation.run_wave`)."""
    check_round(offers, applications)
    prefs = _acceptable_prefs(offers, applications)
    capacity = [offer.capacity for offer in offers]
    held = deferred_acceptance(prefs, capacity)
    assignments: dict[str, str | None] = dict.fromkeys(a.learner_id for a in applications)
    filled: dict[str, int] = {}
    for j, heap in enumerate(held):
        offer_id = offers[j].offer_id
        filled[offer_id] = len(heap)
        for _, i in heap:
            assignments[applications[i].learner_id] = offer_id
    return RoundResult(assignments, filled)


def _acceptable_prefs(
    offers: Sequence[Offer], applications: Sequence[Application]
) -> list[list[tuple[int, int]]]:
    """Per learner, (offer index, the learner's rank at that offer) for each acceptable offer."""
    offer_index = {o.offer_id: j for j, o in enumerate(offers)}
    # Built in C by dict(zip(...)); reversed so that a repeated learner keeps its first rank.
    # Plain rounds have strict lists (no tiers): each entry is one learner.
    ranks: list[dict[str, int] | None] = [
        None
        if o.priority is None
        else dict(
            zip(
                reversed(cast(Sequence[str], o.priority)),
                range(len(o.priority) - 1, -1, -1),
                strict=True,
            )
        )
        for o in offers
    ]
    open_seats = [o.capacity > 0 for o in offers]
    outsiders = len(applications)  # residents-first ranks non-residents after every resident
    prefs: list[list[tuple[int, int]]] = []
    for i, application in enumerate(applications):
        learner = application.learner_id
        mine: list[tuple[int, int]] = []
        for offer_id in application.ranking:
            j = offer_index[offer_id]
            if not open_seats[j]:
                continue
            listed = ranks[j]
            if listed is not None:
                rank = listed.get(learner)
                if rank is None:
                    continue  # not on the offer's list: not acceptable to it
                mine.append((j, rank))
            else:
                mine.append((j, _rule_rank(offers[j], application, i, outsiders)))
        prefs.append(mine)
    return prefs


def _rule_rank(offer: Offer, application: Application, order: int, outsiders: int) -> int:
    if (
        offer.rule is PriorityRule.RESIDENTS_FIRST
        and application.municipality != offer.municipality
    ):
        return outsiders + order
    return order


def deferred_acceptance(
    prefs: list[list[tuple[int, int]]], capacity: list[int]
) -> list[list[tuple[int, int]]]:
    """Per offer, a heap of (-rank, learner) it finally holds."""
    held: list[list[tuple[int, int]]] = [[] for _ in capacity]
    next_choice = [0] * len(prefs)
    free = list(range(len(prefs) - 1, -1, -1))
    while free:
        i = free.pop()
        mine = prefs[i]
        k = next_choice[i]
        while k < len(mine):
            j, rank = mine[k]
            k += 1
            heap = held[j]
            if len(heap) < capacity[j]:
                heappush(heap, (-rank, i))
                break
            if heap[0][0] < -rank:  # the worst held learner ranks below this one: bump them
                free.append(heapreplace(heap, (-rank, i))[1])
                break
        next_choice[i] = k
    return held
