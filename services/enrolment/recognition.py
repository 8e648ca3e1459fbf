"""Recognition between providers ("Anrechnung"): a learner's request and the provider's decisions.

Pure: no I/O, no clock. The rules that say which modules a learner's achievements cover live in
`zll.platform.recognition` (counselling uses the same ones); re-exported here for enrolment.
`Case` keeps a learner's request and the provider's decisions, append-only: a decision is final
and only a new one that names it as superseded changes the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from zll.platform.recognition import (
    Achievement,
    Coverage,
    Covered,
    Declaration,
    RecognitionError,
    coverage,
    remaining_price,
    remaining_workload,
)

__all__ = [
    "Achievement",
    "Case",
    "Coverage",
    "Covered",
    "Decision",
    "Declaration",
    "Outcome",
    "RecognitionError",
    "Terms",
    "coverage",
    "remaining_price",
    "remaining_workload",
    "terms",
]

Outcome = Literal["accepted", "partial", "refused"]


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: str
    outcome: Outcome
    modules: tuple[str, ...]  # recognised modules (empty when refused)
    reason: str
    decided_by: str
    supersedes: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """A learner's request to recognise `requested` modules of one course, and its history."""

    request_id: str
    learner_id: str
    provider_id: str
    course_id: str
    requested: tuple[str, ...]
    decisions: tuple[Decision, ...] = field(default=())

    @property
    def current(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def recognised(self) -> tuple[str, ...]:
        return self.current.modules if self.current is not None else ()

    def decide(self, decision: Decision) -> Case:
        """The case with `decision` appended, or RecognitionError saying why not."""
        if decision.decided_by != self.provider_id:
            raise RecognitionError(
                "provider_id",
                f"Nur {self.provider_id} entscheidet über diese Anrechnung.",
                f"Only {self.provider_id} decides on this recognition.",
            )
        current = self.current
        if current is not None and decision.supersedes != current.decision_id:
            raise RecognitionError(
                "supersedes",
                f"Schon entschieden ({current.decision_id}); eine neue Entscheidung muss "
                "sagen, welche sie ersetzt.",
                f"Already decided ({current.decision_id}); a new decision must name the one "
                "it supersedes.",
            )
        if current is None and decision.supersedes is not None:
            raise RecognitionError(
                "supersedes",
                "Es gibt noch keine Entscheidung zu ersetzen.",
                "There is no decision to supersede yet.",
            )
        _check_outcome(decision, self.requested)
        return replace(self, decisions=(*self.decisions, decision))


def _check_outcome(decision: Decision, requested: Sequence[str]) -> None:
    foreign = sorted(set(decision.modules) - set(requested))
    if foreign:
        raise RecognitionError(
            "modules",
            f"Nicht beantragt: {', '.join(foreign)}.",
            f"Not requested: {', '.join(foreign)}.",
        )
    if decision.outcome == "refused" and (decision.modules or not decision.reason.strip()):
        raise RecognitionError(
            "reason",
            "Eine Ablehnung nennt einen Grund und erkennt kein Modul an.",
            "A refusal gives a reason and recognises no module.",
        )
    if decision.outcome == "accepted" and set(decision.modules) != set(requested):
        raise RecognitionError(
            "modules",
            "„accepted“ erkennt alle beantragten Module an; sonst „partial“.",
            "'accepted' recognises every requested module; otherwise use 'partial'.",
        )
    partial_ok = 0 < len(set(decision.modules)) < len(set(requested))
    if decision.outcome == "partial" and not (partial_ok and decision.reason.strip()):
        raise RecognitionError(
            "modules",
            "„partial“ erkennt einige, nicht alle beantragten Module an und nennt einen Grund.",
            "'partial' recognises some, not all requested modules, and gives a reason.",
        )


@dataclass(frozen=True, slots=True)
class Terms:
    """What an enrolment is for once modules are recognised: seats stay one per learner, but
    the workload and the price are those of the modules still to take."""

    recognised_modules: tuple[str, ...]
    workload_hours: float
    price_eur: float | None  # None: the course's price is not known yet


def terms(
    modules: Sequence[Mapping[str, Any]], price_eur: float | None, recognised: Sequence[str]
) -> Terms:
    own = {str(m["module_id"]) for m in modules}
    kept = tuple(m for m in dict.fromkeys(recognised) if m in own)
    return Terms(
        kept,
        remaining_workload(modules, kept),
        remaining_price(price_eur, modules, kept) if price_eur is not None else None,
    )
