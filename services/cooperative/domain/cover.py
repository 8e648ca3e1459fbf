"""Smallest sets that cover a universe (set cover), exactly, on bit masks. Plain Python.

A universe is a bit mask of needs; each candidate covers a mask. The search is branch and
bound: take the uncovered need with the fewest candidates, try each of them (largest new
coverage first), and never go deeper than the best answer found so far. Candidates whose
mask lies inside another's cannot make a cover smaller and are left out of the search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_NODE_BUDGET = 200_000


def bits(mask: int) -> int:
    return mask.bit_count()


def maximal(masks: Sequence[int]) -> list[int]:
    """The distinct masks not contained in another (the only ones a minimum cover needs)."""
    distinct = sorted({m for m in masks if m}, key=bits, reverse=True)
    kept: list[int] = []
    for mask in distinct:
        if not any(mask | other == other for other in kept):
            kept.append(mask)
    return kept


def greedy(target: int, masks: Sequence[int], size: int | None = None) -> list[int]:
    """Masks chosen one by one, each covering most of what is left (at most `size`)."""
    chosen: list[int] = []
    left = target
    while left and (size is None or len(chosen) < size):
        best = max(masks, key=lambda m: (bits(m & left), m), default=0)
        if not best & left:
            break
        chosen.append(best)
        left &= ~best
    return chosen


def minimum_covers(target: int, masks: Sequence[int], limit: int = 3) -> list[list[int]]:
    """Up to `limit` covers of `target` of the smallest possible size, as lists of masks.

    Only what the masks together can cover is covered: `target` is cut to their union.
    Returns [[]] when there is nothing to cover.
    """
    pool = maximal([m & target for m in masks])
    target &= _union(pool)
    if not target:
        return [[]]
    covering = _covering(target, pool)
    best = _smallest(target, pool, covering)
    found: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    _collect(target, [], len(best), covering, found, seen, limit, [_NODE_BUDGET])
    return found or [best]


def _union(masks: Sequence[int]) -> int:
    union = 0
    for mask in masks:
        union |= mask
    return union


def _covering(target: int, pool: Sequence[int]) -> dict[int, list[int]]:
    """For every need (a single bit), the masks that cover it, largest first."""
    out: dict[int, list[int]] = {}
    left = target
    while left:
        need = left & -left
        left ^= need
        out[need] = sorted((m for m in pool if m & need), key=bits, reverse=True)
    return out


def _hardest(uncovered: int, covering: Mapping[int, list[int]]) -> int:
    """The uncovered need with the fewest candidates: branching there keeps the tree small."""
    left, best, fewest = uncovered, 0, None
    while left:
        need = left & -left
        left ^= need
        count = len(covering[need])
        if fewest is None or count < fewest:
            best, fewest = need, count
    return best


def _lower_bound(uncovered: int, pool_max: int) -> int:
    return -(-bits(uncovered) // pool_max) if pool_max else 0


def _smallest(target: int, pool: Sequence[int], covering: Mapping[int, list[int]]) -> list[int]:
    best = greedy(target, pool)
    widest = max((bits(m) for m in pool), default=1)
    nodes = [_NODE_BUDGET]

    def search(uncovered: int, chosen: list[int]) -> None:
        nonlocal best
        if not uncovered:
            if len(chosen) < len(best):
                best = list(chosen)
            return
        nodes[0] -= 1
        if nodes[0] < 0 or len(chosen) + _lower_bound(uncovered, widest) >= len(best):
            return
        options = covering[_hardest(uncovered, covering)]
        for mask in sorted(options, key=lambda m: bits(m & uncovered), reverse=True):
            chosen.append(mask)
            search(uncovered & ~mask, chosen)
            chosen.pop()

    search(target, [])
    return best


def _collect(
    uncovered: int,
    chosen: list[int],
    size: int,
    covering: Mapping[int, list[int]],
    found: list[list[int]],
    seen: set[frozenset[int]],
    limit: int,
    nodes: list[int],
) -> None:
    """Covers of exactly `size` masks, distinct as sets, until `limit` are found."""
    if len(found) >= limit or nodes[0] < 0:
        return
    if not uncovered:
        key = frozenset(chosen)
        if len(chosen) == size and key not in seen:
            seen.add(key)
            found.append(list(chosen))
        return
    if len(chosen) >= size:
        return
    nodes[0] -= 1
    for mask in covering[_hardest(uncovered, covering)]:
        chosen.append(mask)
        _collect(uncovered & ~mask, chosen, size, covering, found, seen, limit, nodes)
        chosen.pop()
