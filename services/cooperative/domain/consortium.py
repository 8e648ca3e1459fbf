"""Which members could carry a call together, and why. Plain Python, no I/O.

A call needs every skill it names taught in every municipality it names (an online course
counts everywhere), for the life phases it names; and every life phase served. A member
covers a need when it has actually offered such a course. The region proposes the smallest
consortia that cover all that any member can cover, names what nobody covers, checks the
call's rules (at least N members, one of them a chamber) and says why each member is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from services.cooperative.domain import cover

ONLINE = "online"
CHAMBER = "chamber"


@dataclass(frozen=True, slots=True)
class Call:
    """What a call asks for; empty target groups mean any life phase."""

    skills: tuple[str, ...]
    municipalities: tuple[str, ...]
    target_groups: tuple[str, ...] = ()
    min_members: int = 1
    chamber_required: bool = False


@dataclass(frozen=True, slots=True)
class Offer:
    """What one member has offered of one skill in one place: courses and seats."""

    provider_id: str
    skill: str
    municipality: str  # or ONLINE
    target_groups: frozenset[str]
    courses: int
    seats: int


@dataclass(frozen=True, slots=True, order=True)
class Need:
    """One thing a call needs: a skill in a municipality, or a life phase served."""

    kind: str  # "skill" or "life-phase"
    value: str
    municipality: str = ""

    def words(self) -> str:
        if self.kind == "life-phase":
            return f"Lebensphase {self.value}"
        return f"{self.value} in {self.municipality}"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text_de: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Role:
    """One member of a proposal: what it covers, with how much, and why it is in."""

    provider_id: str
    covers: tuple[Need, ...]
    seats: int
    courses: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class RuleCheck:
    rule: str
    met: bool
    text_de: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Proposal:
    members: tuple[Role, ...]
    uncovered: tuple[Need, ...]
    rules: tuple[RuleCheck, ...]

    @property
    def provider_ids(self) -> tuple[str, ...]:
        return tuple(m.provider_id for m in self.members)


@dataclass(frozen=True, slots=True)
class TradeOff:
    """What the best k members found cover, for k smaller than a full cover needs."""

    size: int
    covered: int
    of: int
    provider_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Proposals:
    needs: tuple[Need, ...]
    uncoverable: tuple[Need, ...]
    proposals: tuple[Proposal, ...]
    trade_offs: tuple[TradeOff, ...] = field(default=())


def needs_of(call: Call) -> tuple[Need, ...]:
    skills = tuple(Need("skill", s, m) for s in call.skills for m in call.municipalities)
    phases = tuple(Need("life-phase", g) for g in call.target_groups)
    return tuple(sorted(set(skills + phases)))


def _fits(offer: Offer, call: Call) -> bool:
    return not call.target_groups or bool(offer.target_groups & set(call.target_groups))


def covered_by(offer: Offer, call: Call) -> set[Need]:
    """The needs of `call` this one offer meets."""
    if offer.skill not in call.skills or not _fits(offer, call):
        return set()
    places = call.municipalities if offer.municipality == ONLINE else (offer.municipality,)
    met = {Need("skill", offer.skill, m) for m in places if m in call.municipalities}
    if met:
        met |= {Need("life-phase", g) for g in offer.target_groups if g in call.target_groups}
    return met


@dataclass(frozen=True, slots=True)
class _Member:
    provider_id: str
    mask: int
    seats: int
    courses: int
    chamber: bool


def _members(
    call: Call, needs: Sequence[Need], offers: Iterable[Offer], kinds: Mapping[str, str]
) -> dict[str, _Member]:
    index = {n: 1 << i for i, n in enumerate(needs)}
    masks: dict[str, int] = {}
    seats: dict[str, int] = {}
    courses: dict[str, int] = {}
    for offer in offers:
        met = covered_by(offer, call)
        if not met:
            continue
        pid = offer.provider_id
        for need in met:
            masks[pid] = masks.get(pid, 0) | index[need]
        seats[pid] = seats.get(pid, 0) + offer.seats
        courses[pid] = courses.get(pid, 0) + offer.courses
    for pid, kind in kinds.items():  # a chamber may join for its seal alone
        if kind == CHAMBER and pid not in masks:
            masks[pid] = 0
    return {
        pid: _Member(pid, mask, seats.get(pid, 0), courses.get(pid, 0), kinds.get(pid) == CHAMBER)
        for pid, mask in masks.items()
    }


def propose(
    call: Call, offers: Iterable[Offer], kinds: Mapping[str, str], limit: int = 3
) -> Proposals:
    """Up to `limit` smallest consortia for `call` from what members offered, explained."""
    needs = needs_of(call)
    members = _members(call, needs, offers, kinds)
    target = (1 << len(needs)) - 1
    reachable = 0
    for m in members.values():
        reachable |= m.mask
    uncoverable = tuple(n for i, n in enumerate(needs) if not reachable >> i & 1)
    teams = _teams(call, target & reachable, members, limit)
    proposals = tuple(_explain(call, needs, team, members) for team in teams)
    smallest = min((len(t) for t in teams), default=0)
    trade = _trade_offs(target & reachable, members, smallest, len(needs))
    return Proposals(needs, uncoverable, proposals, trade)


def _strength(member: _Member) -> tuple[int, int, str]:
    return (-member.seats, -member.courses, member.provider_id)


def _covers_of(
    target: int, pool: Sequence[_Member], members: Mapping[str, _Member], limit: int
) -> list[list[str]]:
    """Smallest covers of `target` from `pool`, as provider ids (strongest member per mask)."""
    groups: dict[int, list[str]] = {}
    for member in sorted(pool, key=_strength):
        groups.setdefault(member.mask & target, []).append(member.provider_id)
    return [
        [groups[m][0] for m in masks] for masks in cover.minimum_covers(target, list(groups), limit)
    ]


def _teams(call: Call, target: int, members: Mapping[str, _Member], limit: int) -> list[list[str]]:
    pool = list(members.values())
    teams = _covers_of(target, pool, members, limit)
    if call.chamber_required and not any(_has_chamber(t, members) for t in teams):
        teams = _with_chamber(target, pool, members, limit) or teams
    teams = [_padded(call, t, target, members) for t in teams]
    return _alternatives(teams, members, limit)


def _has_chamber(team: Sequence[str], members: Mapping[str, _Member]) -> bool:
    return any(members[p].chamber for p in team)


def _with_chamber(
    target: int, pool: Sequence[_Member], members: Mapping[str, _Member], limit: int
) -> list[list[str]]:
    """Smallest covers that include a chamber: each chamber, then the rest around it."""
    best: list[list[str]] = []
    for chamber in sorted((m for m in pool if m.chamber), key=_strength):
        rest = [m for m in pool if m.provider_id != chamber.provider_id]
        for team in _covers_of(target & ~chamber.mask, rest, members, limit):
            candidate = [chamber.provider_id, *team]
            if not best or len(candidate) < len(best[0]):
                best = [candidate]
            elif len(candidate) == len(best[0]) and len(best) < limit:
                best.append(candidate)
    return best


def _padded(call: Call, team: list[str], target: int, members: Mapping[str, _Member]) -> list[str]:
    """Add the members that cover most again (a second source) until the call's minimum."""
    spare = sorted(
        (m for m in members.values() if m.provider_id not in team),
        key=lambda m: (-(m.mask & target).bit_count(), *_strength(m)),
    )
    missing = max(0, call.min_members - len(team))
    return team + [m.provider_id for m in spare[:missing]]


def _alternatives(
    teams: list[list[str]], members: Mapping[str, _Member], limit: int
) -> list[list[str]]:
    """Distinct teams, strongest first; when too few, swap in members with the same coverage."""
    distinct: list[list[str]] = []
    for team in teams:
        if sorted(team) not in [sorted(t) for t in distinct]:
            distinct.append(team)
    if distinct and len(distinct) < limit:
        base = distinct[0]
        for i, pid in enumerate(base):
            twins = [
                m.provider_id
                for m in sorted(members.values(), key=_strength)
                if m.mask == members[pid].mask
                and m.chamber == members[pid].chamber
                and m.provider_id not in base
            ]
            for twin in twins[:1]:
                swapped = [*base[:i], twin, *base[i + 1 :]]
                if len(distinct) < limit:
                    distinct.append(swapped)
    return sorted(distinct, key=lambda t: (len(t), -sum(members[p].seats for p in t), sorted(t)))


def _explain(
    call: Call, needs: Sequence[Need], team: Sequence[str], members: Mapping[str, _Member]
) -> Proposal:
    union = 0
    roles = []
    for pid in team:
        member = members[pid]
        covers = tuple(n for i, n in enumerate(needs) if member.mask >> i & 1)
        others = 0
        for other in team:
            if other != pid:
                others |= members[other].mask
        only = tuple(n for i, n in enumerate(needs) if member.mask >> i & 1 and not others >> i & 1)
        roles.append(
            Role(pid, covers, member.seats, member.courses, _reasons(member, covers, only))
        )
        union |= member.mask
    uncovered = tuple(n for i, n in enumerate(needs) if not union >> i & 1)
    return Proposal(tuple(roles), uncovered, _rules(call, team, members))


def _reasons(member: _Member, covers: Sequence[Need], only: Sequence[Need]) -> tuple[Reason, ...]:
    reasons = []
    if covers:
        names = ", ".join(n.words() for n in covers[:5])
        reasons.append(Reason(
            "offered",
            f"Hat {member.courses} passende Kurse mit {member.seats} Plätzen angeboten: {names}.",
            f"Offered {member.courses} matching courses with {member.seats} seats: {names}.",
        ))  # fmt: skip
    if only:
        names = ", ".join(n.words() for n in only[:5])
        reasons.append(Reason(
            "only-one", f"Als einziges Mitglied im Vorschlag deckt es ab: {names}.",
            f"The only member of this proposal covering: {names}.",
        ))  # fmt: skip
    elif covers:
        reasons.append(Reason(
            "second-source", "Zweite Quelle für schon Abgedecktes (Ausfallsicherheit).",
            "A second source for needs already covered (resilience).",
        ))  # fmt: skip
    if member.chamber:
        reasons.append(Reason("chamber", "Ist eine Kammer.", "Is a chamber."))
    return tuple(reasons)


def _rules(
    call: Call, team: Sequence[str], members: Mapping[str, _Member]
) -> tuple[RuleCheck, ...]:
    checks = [RuleCheck(
        "min-members", len(team) >= call.min_members,
        f"Mindestens {call.min_members} Mitglieder: {len(team)} im Vorschlag.",
        f"At least {call.min_members} members: {len(team)} in this proposal.",
    )]  # fmt: skip
    if call.chamber_required:
        met = _has_chamber(team, members)
        checks.append(RuleCheck(
            "chamber", met,
            "Eine Kammer ist dabei." if met else "Keine Kammer unter den Mitgliedern verfügbar.",
            "A chamber takes part." if met else "No chamber among the available members.",
        ))  # fmt: skip
    return tuple(checks)


def _trade_offs(
    target: int, members: Mapping[str, _Member], smallest: int, of: int
) -> tuple[TradeOff, ...]:
    """For every size below the smallest full cover: what the best that many cover (greedy)."""
    pool = sorted(members.values(), key=_strength)
    out = []
    for size in range(1, smallest):
        chosen: list[str] = []
        left = target
        for _ in range(size):
            best = max(pool, key=lambda m: ((m.mask & left).bit_count(), -m.seats), default=None)
            if best is None or not best.mask & left:
                break
            chosen.append(best.provider_id)
            left &= ~best.mask
        out.append(TradeOff(size, (target & ~left).bit_count(), of, tuple(chosen)))
    return tuple(out)
