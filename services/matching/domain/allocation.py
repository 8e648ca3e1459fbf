"""Rounds as a region runs them: reserved quotas, a published lottery for ties, and waves.

Plain Python, no I/O; the deferred acceptance itself is the one in `rounds`.

Quotas are slot-specific priorities (Kominers & Sönmez 2016, "Matching with slot-specific
priorities"), the DoSV practice of *Vorabquoten*: an offer's capacity is cut into blocks, one
per quota in the order given and an open block with the rest. A learner who ranks the offer
applies to its blocks in that order (reserve first). A reserved block ranks the group's members
first, in the offer's priority; what happens to seats no member takes is the quota's `unused`
rule: `released` ranks everyone else after the members (a soft reserve, the minority reserve
of Hafalir, Yenmez & Yildirim 2013), `kept` admits members only and leaves the seat empty.
The result is the learner-optimal matching that is stable for these blocks: no learner
prefers an offer whose choice from its holders and that learner would take them (tested
against a brute-force enumeration). Reserve-first is the less generous order for the group
(Dur, Kominers, Pathak & Sönmez 2018); it is the one DoSV applies to its advance quotas.

Ties: an offer's priority may group learners in tiers; first-come ties on equal `applied_at`.
One lottery order for the whole round (single tie-breaking, as in New York's school match)
breaks every tie: learners sorted by SHA-256 of "<seed>:<learner_id>", so anyone holding the
published seed can recompute every rank.

Waves: each wave is the learner-optimal stable matching of what remains: an accepted place is
the learner's only wish; a declined place and every wish below it are gone; everyone else keeps
all wishes. Because removing wishes never hurts others in that matching (Gale & Sotomayor 1985),
a place held in one wave is never lost to a lower wish in the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from services.matching.domain.rounds import (
    Application,
    Offer,
    PriorityRule,
    deferred_acceptance,
)
from zll.platform.errors import Problem

# A non-member competing for a released reserved seat ranks after every member.
_AFTER_MEMBERS = 1 << 48


class Unused(StrEnum):
    """What becomes of reserved seats that no member of the group takes."""

    RELEASED = "released"
    KEPT = "kept"


@dataclass(frozen=True, slots=True)
class Quota:
    group: str
    seats: int
    unused: Unused = Unused.RELEASED


@dataclass(frozen=True, slots=True)
class Block:
    """One slice of an offer's seats: a quota's reserve, or the open seats (group None)."""

    offer: int
    capacity: int
    group: str | None = None
    kept: bool = False


@dataclass(frozen=True, slots=True)
class Answers:
    """What learners said between waves: accepted offer per learner, declined offers."""

    accepted: Mapping[str, str] = field(default_factory=dict)
    declined: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Wave:
    """Who holds which offer (None: no place), ranks as positions, and each block's cut-off."""

    assignments: dict[str, str | None]
    blocks: list[Block]
    held: list[list[tuple[int, int]]]  # per block, (-rank, learner index)
    ranks: list[dict[int, int]]  # per offer, learner index -> 1-based position in its order
    applications: list[Application]

    def placed_block(self) -> dict[int, int]:
        return {i: b for b, heap in enumerate(self.held) for _, i in heap}


def lottery(seed: str, learner_ids: Sequence[str]) -> dict[str, int]:
    """Each learner's lottery number (0 best); recomputable from the seed alone."""

    def draw(learner: str) -> str:
        return hashlib.sha256(f"{seed}:{learner}".encode()).hexdigest()

    return {learner: n for n, learner in enumerate(sorted(learner_ids, key=draw))}


def remaining(applications: Sequence[Application], answers: Answers) -> list[Application]:
    """The instance the next wave runs on."""
    out: list[Application] = []
    for a in applications:
        kept = answers.accepted.get(a.learner_id)
        if kept is not None:
            out.append(replace(a, ranking=(kept,)))
            continue
        gone = answers.declined.get(a.learner_id, frozenset())
        ranking = list(a.ranking)
        for k, offer_id in enumerate(ranking):
            if offer_id in gone:
                ranking = ranking[:k]
                break
        out.append(replace(a, ranking=tuple(ranking)))
    return out


def run_wave(
    offers: Sequence[Offer],
    applications: Sequence[Application],
    quotas: Mapping[str, Sequence[Quota]],
    seed: str,
    answers: Answers | None = None,
) -> Wave:
    """The learner-optimal stable matching of the remaining instance, with quotas and ties."""
    apps = remaining(applications, answers or Answers())
    tiers = _tiers(offers, apps)
    lots = lottery(seed, [a.learner_id for a in apps])
    n = len(apps)
    keys = [
        {i: tier * n + lots[apps[i].learner_id] for i, tier in offer_tiers.items()}
        for offer_tiers in tiers
    ]
    blocks, first_block = _blocks(offers, quotas)
    groups = [set(a.groups) for a in apps]
    offer_index = {o.offer_id: j for j, o in enumerate(offers)}
    prefs: list[list[tuple[int, int]]] = []
    for i, a in enumerate(apps):
        mine: list[tuple[int, int]] = []
        for offer_id in a.ranking:
            j = offer_index[offer_id]
            key = keys[j].get(i)
            if key is None:
                continue
            for b in range(first_block[j], first_block[j + 1]):
                block = blocks[b]
                if block.capacity <= 0:
                    continue
                if block.group is None or block.group in groups[i]:
                    mine.append((b, key))
                elif not block.kept:
                    mine.append((b, key + _AFTER_MEMBERS))
        prefs.append(mine)
    held = deferred_acceptance(prefs, [b.capacity for b in blocks])
    assignments: dict[str, str | None] = dict.fromkeys(a.learner_id for a in apps)
    for b, heap in enumerate(held):
        offer_id = offers[blocks[b].offer].offer_id
        for _, i in heap:
            assignments[apps[i].learner_id] = offer_id
    positions = [_positions(k) for k in keys]
    return Wave(assignments, blocks, held, positions, apps)


def check_quotas(offers: Sequence[Offer], quotas: Mapping[str, Sequence[Quota]]) -> list[Problem]:
    """Each broken quota rule, by field: reserves fit the capacity, a group is named once."""
    problems: list[Problem] = []
    for index, offer in enumerate(offers):
        mine = quotas.get(offer.offer_id, ())
        if sum(q.seats for q in mine) > offer.capacity:
            problems.append(
                Problem(f"offers.{index}.quotas", "reserve more seats than the capacity")
            )
        groups = [q.group for q in mine]
        if len(set(groups)) != len(groups):
            problems.append(Problem(f"offers.{index}.quotas", "a group is named twice"))
    return problems


def _blocks(
    offers: Sequence[Offer], quotas: Mapping[str, Sequence[Quota]]
) -> tuple[list[Block], list[int]]:
    blocks: list[Block] = []
    first: list[int] = []
    for j, offer in enumerate(offers):
        first.append(len(blocks))
        reserved = 0
        for quota in quotas.get(offer.offer_id, ()):
            blocks.append(Block(j, quota.seats, quota.group, quota.unused is Unused.KEPT))
            reserved += quota.seats
        blocks.append(Block(j, offer.capacity - reserved))
    first.append(len(blocks))
    return blocks, first


def _tiers(offers: Sequence[Offer], apps: Sequence[Application]) -> list[dict[int, int]]:
    """Per offer, learner index -> tier (lower first; equal tiers are ties) for acceptable ones."""
    index = {a.learner_id: i for i, a in enumerate(apps)}
    applicants: list[set[int]] = [set() for _ in offers]
    offer_index = {o.offer_id: j for j, o in enumerate(offers)}
    for i, a in enumerate(apps):
        for offer_id in a.ranking:
            applicants[offer_index[offer_id]].add(i)
    arrival = _arrival(apps)
    late = max(arrival, default=0) + 1
    out: list[dict[int, int]] = []
    for j, offer in enumerate(offers):
        if offer.priority is not None:
            listed: dict[int, int] = {}
            for tier, entry in enumerate(offer.priority):
                for learner in (entry,) if isinstance(entry, str) else entry:
                    i = index.get(learner, -1)
                    if i in applicants[j] and i not in listed:
                        listed[i] = tier
            out.append(listed)
        elif offer.rule is PriorityRule.RESIDENTS_FIRST:
            out.append(
                {
                    i: arrival[i] + (0 if apps[i].municipality == offer.municipality else late)
                    for i in applicants[j]
                }
            )
        else:
            out.append({i: arrival[i] for i in applicants[j]})
    return out


def _arrival(apps: Sequence[Application]) -> list[int]:
    """First-come order: by applied_at when the applications give it (equal times tie), else
    by position in the round."""
    if not apps or apps[0].applied_at is None:
        return list(range(len(apps)))
    times = sorted({a.applied_at for a in apps if a.applied_at is not None})
    dense = {t: k for k, t in enumerate(times)}
    return [dense[a.applied_at] if a.applied_at is not None else len(times) for a in apps]


def _positions(keys: dict[int, int]) -> dict[int, int]:
    order = sorted(keys, key=keys.__getitem__)
    return {i: p for p, i in enumerate(order, start=1)}
