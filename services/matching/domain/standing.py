"""Whether a certificate still counts for counselling: revoked never again, suspended not
while the suspension lasts. Plain Python, no I/O.

Learned from `zll.enrolment.certificate-revoked.v1` and `…certificate-suspended.v1`; the
modules and skills of a certificate that does not count are no credit on a pathway and no
held skill in a recommendation (the store keeps `counts` beside them and leaves them out).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Standing:
    revoked: bool = False
    suspended: bool = False
    as_of: datetime | None = None  # the latest suspension change heard

    @property
    def counts(self) -> bool:
        return not self.revoked and not self.suspended


def revoked(before: Standing) -> Standing:
    """A revocation is final, whatever came before or comes after."""
    return replace(before, revoked=True)


def suspension(before: Standing, suspended: bool, at: datetime) -> Standing:
    """A suspension set or lifted at `at`; news older than what was heard changes nothing."""
    if before.as_of is not None and at < before.as_of:
        return before
    return replace(before, suspended=suspended, as_of=at)
