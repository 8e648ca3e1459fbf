"""Errors a domain raises when a rule is broken: plain values, no I/O, nothing of the platform.

A service's domain imports this module alone of the plumbing, so its rules load (and are
tested) without asyncpg, FastAPI or OpenTelemetry; the edges map the errors to feedback on
`zll.provider.feedback.v1` or to a 422 problem document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: which field, and why, in words a partner's developer can act on."""

    field: str
    message: str
    # The same for a person at the provider's desk, when the rule that found it words it so
    # (the contract's validation does); otherwise the feedback names the field at least.
    message_de: str | None = None
    message_en: str | None = None


class Refused(Exception):
    """A request or partner event breaks a rule: no effect, and each problem is named."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = list(problems)

    @classmethod
    def because(cls, field: str, message: str) -> Refused:
        return cls([Problem(field, message)])
