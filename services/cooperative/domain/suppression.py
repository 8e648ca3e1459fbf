"""Secondary suppression: no hidden count can be worked out from the published totals.

Primary suppression hides every count of one to four learners. The report also publishes
totals (by life phase, by municipality, for the region), and a total is the sum of its parts
(or at most that: a learner counts once in a total even when they are in two of its parts).
A total with exactly one hidden part gives that part away by subtraction; a hidden total
whose parts are all published gives itself away by addition.

So every *group* — a total and the parts it adds up — must have no hidden figure or at
least two. While some group has exactly one, the smallest published part of it is hidden
too (the fewest learners lost from the report; a part above zero first, since a hidden zero
protects nothing an attacker could not guess), or the total when no part is left. Hiding a
part can leave another group it belongs to with exactly one hidden figure, so this runs to a
fixed point; it ends because every step hides one more figure.

What it guarantees: from the published figures, repeatedly solving any group with one
unknown (subtraction, addition) reveals nothing. What it does not: an attacker solving
several groups at once as linear equations, or using bounds (counts are never negative), can
narrow a hidden count in some patterns; statistics offices audit for that with
linear programming, which this report does not do.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Group(Generic[K]):
    """A published total and the parts it adds up."""

    total: K
    parts: tuple[K, ...]


def protect(values: Mapping[K, int], hidden: Iterable[K], groups: Sequence[Group[K]]) -> set[K]:
    """The figures to hide: `hidden` (primary) and as few more as this rule needs so that no
    group has exactly one hidden figure. `values` holds every figure of every group."""
    out = set(hidden)
    by_member: dict[K, list[int]] = {}
    for index, group in enumerate(groups):
        for key in (group.total, *group.parts):
            by_member.setdefault(key, []).append(index)
    pending = list(range(len(groups)))
    while pending:
        group = groups[pending.pop()]
        members = (group.total, *group.parts)
        if sum(1 for key in members if key in out) != 1:
            continue
        extra = _complement(values, out, group)
        out.add(extra)
        pending.extend(by_member[extra])
    return out


def _complement(values: Mapping[K, int], hidden: set[K], group: Group[K]) -> K:
    """The part to hide beside the group's one hidden figure: the smallest above zero, else a
    zero, else the total (ties by order of the parts, so the answer is reproducible)."""
    candidates = [(values[key] == 0, values[key], index, key)
                  for index, key in enumerate(group.parts) if key not in hidden]  # fmt: skip
    if not candidates:
        return group.total
    return min(candidates, key=lambda c: c[:3])[3]


def revealed(
    values: Mapping[K, int], hidden: Iterable[K], groups: Sequence[Group[K]]
) -> dict[K, int]:
    """What an attacker works out from the published figures by subtraction and addition:
    any group with one unknown figure is solved, again and again until nothing changes.
    (The total of a group may be less than the sum of its parts; the result is then a bound,
    taken here as if it were the value.)"""
    unknown = set(hidden)
    known = {key: value for key, value in values.items() if key not in unknown}
    found: dict[K, int] = {}
    changed = True
    while changed:
        changed = False
        for group in groups:
            missing = [key for key in (group.total, *group.parts) if key in unknown]
            if len(missing) != 1:
                continue
            key = missing[0]
            parts = sum(known[p] for p in group.parts if p != key)
            found[key] = parts if key == group.total else known[group.total] - parts
            known[key] = found[key]
            unknown.discard(key)
            changed = True
    return found
