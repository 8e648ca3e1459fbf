"""Who hears what, on which channel, and when to try again: plain Python, no I/O."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

RecipientKind = Literal["learner", "partner"]
Channel = Literal["inbox", "email", "webhook"]
CHANNELS: tuple[Channel, ...] = ("inbox", "email", "webhook")
LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"

# Every notification kind belongs to one category; a recipient can turn a category off.
CATEGORIES: dict[str, str] = {
    "enrolment.confirmed": "enrolment",
    "enrolment.promoted": "enrolment",
    "enrolment.waitlisted": "enrolment",
    "enrolment.cancelled": "enrolment",
    "certificate.issued": "certificate",
    "certificate.revoked": "certificate",
    "placement.proposed": "placement",
    "course.changed": "course-change",
    "enrolment.new": "enrolment",
    "offer.made": "enrolment",
    "offer.expired": "enrolment",
    "enrolment.offer": "enrolment",
    "feedback.rejected": "feedback",
    "import.reported": "feedback",
    "demand.gap": "demand",
    "project.invited": "project",
    "recognition.answered": "certificate",
    "recognition.requested": "enrolment",
}
KINDS = tuple(CATEGORIES)
CATEGORY_NAMES = tuple(sorted(set(CATEGORIES.values())))


@dataclass(frozen=True, slots=True)
class Recipient:
    kind: RecipientKind
    id: str


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing one recipient should hear; `kind` names its template."""

    recipient: Recipient
    kind: str
    data: Mapping[str, Any]

    @property
    def category(self) -> str:
        return CATEGORIES[self.kind]


@dataclass(frozen=True, slots=True)
class CourseFacts:
    """What notify remembers of a course from the catalog topic."""

    course_id: str
    provider_id: str
    title: str
    start_date: date
    end_date: date
    place: str | None  # "Kassel, Holländische Str. 1" or None for online courses
    skills: frozenset[str] = frozenset()
    revision: int = 0


def provider_of(course_id: str) -> str:
    """Course ids are `<provider_id>:<code>` by contract, so the provider needs no lookup."""
    return course_id.split(":", 1)[0]


def _course(course_id: str, course: CourseFacts | None) -> dict[str, Any]:
    if course is None:
        return {"course_id": course_id, "course_title": course_id}
    return {
        "course_id": course_id,
        "course_title": course.title,
        "start_date": course.start_date.isoformat(),
        "end_date": course.end_date.isoformat(),
        "place": course.place,
    }


def _learner(learner_id: str) -> Recipient:
    return Recipient("learner", learner_id)


def _partner(partner_id: str) -> Recipient:
    return Recipient("partner", partner_id)


def enrolment_confirmed(
    enrolment_id: str, course_id: str, learner_id: str, promoted: bool, course: CourseFacts | None
) -> list[Notice]:
    """The learner hears of the seat (or the promotion); the provider of a new participant."""
    data = {"enrolment_id": enrolment_id, "learner_id": learner_id, **_course(course_id, course)}
    kind = "enrolment.promoted" if promoted else "enrolment.confirmed"
    partner = Notice(_partner(provider_of(course_id)), "enrolment.new", {**data, "status": kind})
    return [Notice(_learner(learner_id), kind, data), partner]


def enrolment_waitlisted(
    enrolment_id: str, course_id: str, learner_id: str, position: int, course: CourseFacts | None
) -> list[Notice]:
    data = {"enrolment_id": enrolment_id, "position": position, **_course(course_id, course)}
    return [Notice(_learner(learner_id), "enrolment.waitlisted", data)]


def enrolment_cancelled(
    enrolment_id: str,
    course_id: str,
    learner_id: str,
    cancelled_by: str,
    reason: str | None,
    course: CourseFacts | None,
) -> list[Notice]:
    """Why matters to the learner: a withdrawn course, the provider, or their own request."""
    data = {
        "enrolment_id": enrolment_id,
        "cancelled_by": cancelled_by,
        "reason": reason,
        **_course(course_id, course),
    }
    return [Notice(_learner(learner_id), "enrolment.cancelled", data)]


REGION_TIME = ZoneInfo("Europe/Berlin")


def _offer_data(
    enrolment_id: str, course_id: str, learner_id: str, course: CourseFacts | None
) -> dict[str, Any]:
    return {"enrolment_id": enrolment_id, "learner_id": learner_id, **_course(course_id, course)}


def offer_made(
    enrolment_id: str,
    course_id: str,
    learner_id: str,
    deadline: datetime,
    course: CourseFacts | None,
    enrolment_url: str,
) -> list[Notice]:
    """A seat is held for the learner: they hear until when and how to answer; the provider
    hears that a seat is on offer (webhook, inbox)."""
    data = {
        **_offer_data(enrolment_id, course_id, learner_id, course),
        "offer_expires_at": deadline.isoformat(),
        # The region's wall clock, as a learner reads a deadline.
        "deadline_local": deadline.astimezone(REGION_TIME).strftime("%Y-%m-%d %H:%M"),
        "accept_url": f"{enrolment_url}/enrolments/{enrolment_id}/offer/accept",
        "decline_url": f"{enrolment_url}/enrolments/{enrolment_id}/offer/decline",
    }
    provider = _partner(provider_of(course_id))
    partner = Notice(provider, "enrolment.offer", {**data, "status": "offered"})
    return [Notice(_learner(learner_id), "offer.made", data), partner]


def offer_declined(
    enrolment_id: str, course_id: str, learner_id: str, course: CourseFacts | None
) -> list[Notice]:
    """The learner said no themself: only the provider hears that the seat moves on."""
    data = {**_offer_data(enrolment_id, course_id, learner_id, course), "status": "declined"}
    return [Notice(_partner(provider_of(course_id)), "enrolment.offer", data)]


def offer_expired(
    enrolment_id: str, course_id: str, learner_id: str, course: CourseFacts | None
) -> list[Notice]:
    """Nobody answered in time: the learner hears they lost the seat, the provider that it
    moves on."""
    data = _offer_data(enrolment_id, course_id, learner_id, course)
    provider = _partner(provider_of(course_id))
    partner = Notice(provider, "enrolment.offer", {**data, "status": "expired"})
    return [Notice(_learner(learner_id), "offer.expired", data), partner]


def certificate_issued(
    enrolment_id: str,
    course_id: str,
    learner_id: str,
    certificate_id: str,
    modules: Sequence[str],
    course: CourseFacts | None,
    verify_url: str,
) -> list[Notice]:
    data = {
        "enrolment_id": enrolment_id,
        "certificate_id": certificate_id,
        "modules": list(modules),
        "verify_url": verify_url,
        **_course(course_id, course),
    }
    return [Notice(_learner(learner_id), "certificate.issued", data)]


def certificate_revoked(
    enrolment_id: str, course_id: str, learner_id: str, certificate_id: str, reason: str,
    course: CourseFacts | None,
) -> list[Notice]:  # fmt: skip
    """The learner hears that the region revoked their certificate, and why."""
    data = {"enrolment_id": enrolment_id, "certificate_id": certificate_id, "reason": reason,
            **_course(course_id, course)}  # fmt: skip
    return [Notice(_learner(learner_id), "certificate.revoked", data)]


def recognition_requested(
    request_id: str, course_id: str, learner_id: str, reasons: Sequence[str],
    course: CourseFacts | None,
) -> list[Notice]:  # fmt: skip
    """The course's provider hears that a learner asks it to recognise modules."""
    data = {"request_id": request_id, "learner_id": learner_id, "reasons": list(reasons),
            **_course(course_id, course)}  # fmt: skip
    return [Notice(_partner(provider_of(course_id)), "recognition.requested", data)]


def recognition_answered(
    request_id: str, course_id: str, learner_id: str, outcome: str, modules: Sequence[str],
    reason: str, course: CourseFacts | None,
) -> list[Notice]:  # fmt: skip
    """The learner hears the provider's decision on the request, with its reason."""
    data = {"request_id": request_id, "outcome": outcome, "modules": list(modules),
            "reason": reason, **_course(course_id, course)}  # fmt: skip
    return [Notice(_learner(learner_id), "recognition.answered", data)]


def placement_proposed(
    placement_id: str,
    learner_id: str,
    offer_id: str,
    offer_kind: str,
    course: CourseFacts | None,
    accept_url: str,
    decline_url: str,
) -> list[Notice]:
    """The learner hears of the offer and exactly how to accept or decline it."""
    data: dict[str, Any] = {
        "placement_id": placement_id,
        "offer_id": offer_id,
        "offer_kind": offer_kind,
        "accept_url": accept_url,
        "decline_url": decline_url,
    }
    if offer_kind == "course":
        data.update(_course(offer_id, course))
    return [Notice(_learner(learner_id), "placement.proposed", data)]


def course_changes(before: CourseFacts, after: CourseFacts) -> dict[str, dict[str, Any]]:
    """What a learner would have to re-plan for: dates and place, each `{before, after}`."""
    pairs = {
        "start_date": (before.start_date.isoformat(), after.start_date.isoformat()),
        "end_date": (before.end_date.isoformat(), after.end_date.isoformat()),
        "place": (before.place, after.place),
    }
    return {name: {"before": b, "after": a} for name, (b, a) in pairs.items() if b != a}


def course_changed(
    before: CourseFacts | None, after: CourseFacts, learners: Iterable[str]
) -> list[Notice]:
    """Every learner enrolled in a course whose dates or place changed; nobody otherwise."""
    if before is None:
        return []  # first sight of the course: nothing it changed from
    changes = course_changes(before, after)
    if not changes:
        return []
    data = {"changes": changes, **_course(after.course_id, after)}
    return [Notice(_learner(learner), "course.changed", data) for learner in sorted(learners)]


def feedback_rejected(
    provider_id: str,
    original_ce_id: str,
    topic: str,
    errors: Sequence[Mapping[str, str | None]],
    subject: Mapping[str, str | None] | None = None,
) -> list[Notice]:
    """The provider hears which of its courses was refused and, per field, why."""
    data = {
        "original_ce_id": original_ce_id,
        "topic": topic,
        "errors": [dict(e) for e in errors],
        # not "subject": the templates' `subject` is the e-mail's subject line
        "about": dict(subject) if subject else None,
    }
    return [Notice(_partner(provider_id), "feedback.rejected", data)]


def import_reported(provider_id: str, report: Mapping[str, Any]) -> list[Notice]:
    """The provider hears what an import of its export took, changed and refused."""
    return [Notice(_partner(provider_id), "import.reported", dict(report))]


def demand_gap(
    skill: str | None,
    occupation: str | None,
    municipality: str,
    horizon: str,
    demand: int,
    supply: int,
    gap: int,
    teachers: Iterable[str],
) -> list[Notice]:
    """Providers that teach the missing skill are advised to initiate an offer."""
    if gap <= 0 or skill is None:
        return []  # no shortfall, or an occupation we cannot tie to anything a provider teaches
    data = {
        "skill": skill,
        "occupation": occupation,
        "municipality": municipality,
        "horizon": horizon,
        "demand": demand,
        "supply": supply,
        "gap": gap,
    }
    return [Notice(_partner(p), "demand.gap", data) for p in sorted(set(teachers))]


def locale_of(raw: str | None) -> str:
    """`en`, `en-GB`, `EN_us` → en; anything we have no texts for → German."""
    if not raw:
        return DEFAULT_LOCALE
    language = raw.replace("_", "-").split("-", 1)[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    events: frozenset[str]  # notification kinds; empty means every kind

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


@dataclass(frozen=True, slots=True)
class Reach:
    """How a recipient can be reached, and what they turned off."""

    channels_off: frozenset[str] = frozenset()
    categories_off: frozenset[str] = frozenset()
    email: str | None = None
    locale: str | None = None
    webhook: Webhook | None = None


@dataclass(frozen=True, slots=True)
class Routed:
    notice: Notice
    locale: str
    in_inbox: bool
    email: str | None = None
    webhook_url: str | None = None
    channels: tuple[Channel, ...] = field(default=())


def route(notice: Notice, reach: Reach) -> Routed | None:
    """The channels a notice goes out on; None when the recipient wants none of this category."""
    if notice.category in reach.categories_off:
        return None
    inbox = "inbox" not in reach.channels_off
    email = reach.email if "email" not in reach.channels_off else None
    hook = reach.webhook
    webhook = (
        hook.url
        if hook and notice.recipient.kind == "partner" and "webhook" not in reach.channels_off
        else None
    )
    if webhook and hook and not hook.wants(notice.kind):
        webhook = None
    wanted: tuple[tuple[Channel, object], ...] = (
        ("inbox", inbox),
        ("email", email),
        ("webhook", webhook),
    )
    channels = tuple(channel for channel, on in wanted if on)
    if not channels:
        return None
    return Routed(notice, locale_of(reach.locale), inbox, email, webhook, channels)


DIGESTED_CATEGORIES = frozenset({"feedback"})
"""A partner's e-mails of these categories go out as one digest per interval: an import of
a thousand courses with forty refusals, or a partner's system sending the same broken course
all night, is one e-mail, not forty. Inbox and webhook still get each notice at once."""


def digested_by_email(routed: Routed) -> bool:
    return routed.notice.recipient.kind == "partner" and routed.notice.category in (
        DIGESTED_CATEGORIES
    )


def retry_delay(
    attempts: int, base_s: float, cap_s: float, rng: random.Random | None = None
) -> float:
    """Exponential backoff with full jitter after `attempts` failed tries (1 = the first).

    Jitter spreads the retries of many deliveries that failed together (a receiver that
    was down) so they do not all hit it again in the same second.
    """
    ceiling = min(cap_s, base_s * 2 ** max(0, attempts - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def schedule_hours(max_attempts: int, base_s: float, cap_s: float) -> float:
    """The longest time a delivery is retried before it is parked as failed."""
    return sum(min(cap_s, base_s * 2 ** (n - 1)) for n in range(1, max_attempts)) / 3600


def project_invited(
    provider_id: str,
    project_id: str,
    title: str,
    parts: Sequence[Mapping[str, Any]],
    reasons: Sequence[str],
    answer_url: str,
) -> list[Notice]:
    """A member is asked to join a joint project: what it would cover, why, where to answer."""
    data = {
        "project_id": project_id,
        "title": title,
        "parts": [dict(p) for p in parts],
        "reasons": list(reasons),
        "answer_url": answer_url,
    }
    return [Notice(_partner(provider_id), "project.invited", data)]
