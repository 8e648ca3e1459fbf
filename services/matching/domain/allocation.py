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
from bisect import bisect_left
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
    """Who holds which offer (None: no place), and what it takes to say each rank."""

    assignments: dict[str, str | None]
    blocks: list[Block]
    held: list[list[tuple[int, int]]]  # per block, (-key, learner index)
    wish_keys: list[list[tuple[int, int]]]  # per learner, (offer, key) where acceptable
    sorted_keys: list[list[int]]  # per offer, its applicants' keys, best first
    applications: list[Application]

    def rank(self, learner: int, offer: int) -> int | None:
        """The learner's 1-based position among the offer's applicants; None: not acceptable."""
        for j, key in self.wish_keys[learner]:
            if j == offer:
                return self.position(offer, key)
        return None

    def position(self, offer: int, key: int) -> int:
        return bisect_left(self.sorted_keys[offer], key % _AFTER_MEMBERS) + 1


def lottery(seed: str, learner_ids: Sequence[str]) -> dict[str, int]:
    """Each learner's lottery number (0 best); recomputable from the seed alone."""

    def draw(learner: str) -> str:
        return hashlib.sha256(f"{seed}:{learner}".encode()).hexdigest()

    return {learner: n for n, learner in enumerate(sorted(learner_ids, key=draw))}


def remaining(applications: Sequence[Application], answers: Answers) -> list[Application]:
    """The instance the next wave runs on."""
    out: list[Application] = []
    accepted, declined = answers.accepted, answers.declined
    for a in applications:
        kept = accepted.get(a.learner_id)
        gone = declined.get(a.learner_id)
        if kept is not None:
            out.append(replace(a, ranking=(kept,)))
        elif gone:
            ranking = list(a.ranking)
            cut = next((k for k, o in enumerate(ranking) if o in gone), len(ranking))
            out.append(replace(a, ranking=tuple(ranking[:cut])))
        else:
            out.append(a)
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
    lots = lottery(seed, [a.learner_id for a in apps])
    wish_keys = _keys(offers, apps, [lots[a.learner_id] for a in apps])
    blocks, first_block = _blocks(offers, quotas)
    prefs: list[list[tuple[int, int]]] = []
    for i, a in enumerate(apps):
        mine: list[tuple[int, int]] = []
        for j, key in wish_keys[i]:
            for b in range(first_block[j], first_block[j + 1]):
                block = blocks[b]
                if block.capacity <= 0:
                    continue
                if block.group is None or block.group in a.groups:
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
    sorted_keys: list[list[int]] = [[] for _ in offers]
    for mine_keys in wish_keys:
        for j, key in mine_keys:
            sorted_keys[j].append(key)
    for keys in sorted_keys:
        keys.sort()
    return Wave(assignments, blocks, held, wish_keys, sorted_keys, apps)


def _keys(
    offers: Sequence[Offer], apps: Sequence[Application], lots: list[int]
) -> list[list[tuple[int, int]]]:
    """Per learner, (offer index, key) for each acceptable wish in order; lower keys first:
    tier * learners + lottery number, so ties go by the lottery."""
    n = len(apps)
    offer_index = {o.offer_id: j for j, o in enumerate(offers)}
    listed: list[dict[str, int] | None] = []
    for offer in offers:
        if offer.priority is None:
            listed.append(None)
            continue
        tiers: dict[str, int] = {}
        for position, entry in enumerate(offer.priority):
            for learner in (entry,) if isinstance(entry, str) else entry:
                tiers.setdefault(learner, position)
        listed.append(tiers)
    arrival = _arrival(apps)
    late = max(arrival, default=0) + 1
    out: list[list[tuple[int, int]]] = []
    for i, a in enumerate(apps):
        mine: list[tuple[int, int]] = []
        for offer_id in a.ranking:
            j = offer_index[offer_id]
            tiers_j = listed[j]
            if tiers_j is not None:
                tier = tiers_j.get(a.learner_id)
                if tier is None:
                    continue  # not on the offer's list: not acceptable to it
            else:
                offer = offers[j]
                tier = arrival[i]
                if (
                    offer.rule is PriorityRule.RESIDENTS_FIRST
                    and a.municipality != offer.municipality
                ):
                    tier += late
            mine.append((j, tier * n + lots[i]))
        out.append(mine)
    return out


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


def _arrival(apps: Sequence[Application]) -> list[int]:
    """First-come order: by applied_at when the applications give it (equal times tie), else
    by position in the round."""
    if not apps or apps[0].applied_at is None:
        return list(range(len(apps)))
    times = sorted({a.applied_at for a in apps if a.applied_at is not None})
    dense = {t: k for k, t in enumerate(times)}
    return [dense[a.applied_at] if a.applied_at is not None else len(times) for a in apps]
