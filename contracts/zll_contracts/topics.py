"""The topic registry: every `zll.*` topic, its ordering key, its event types and its writer."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOPICS", "Topic", "topic", "topic_carrying"]


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    event_types: tuple[str, ...]
    writer: str
    partitions: int = 3

    @property
    def is_partner_inbound(self) -> bool:
        """Partners write only to `zll.provider.*`; services read it and answer with feedback."""
        return self.name.startswith("zll.provider.") and self.name != FEEDBACK


PROVIDER_COURSES = "zll.provider.courses.v1"
PROVIDER_ENROLMENTS = "zll.provider.enrolments.v1"
PROVIDER_OPPORTUNITIES = "zll.provider.opportunities.v1"
CATALOG_COURSES = "zll.catalog.courses.v1"
ENROLMENTS = "zll.enrolments.v1"
PLACEMENTS = "zll.placements.v1"
DEMAND = "zll.demand.v1"
FEEDBACK = "zll.provider.feedback.v1"
DLQ = "zll.dlq.v1"
LEARNERS = "zll.learners.v1"
PROJECTS = "zll.cooperative.projects.v1"

TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (
        Topic(
            PROVIDER_COURSES,
            "course_id",
            ("zll.course.upserted.v1", "zll.course.withdrawn.v1"),
            "partner institutions",
        ),
        Topic(
            PROVIDER_ENROLMENTS,
            "course_id",
            (
                "zll.enrolment.requested.v1",
                "zll.enrolment.cancel-requested.v1",
                "zll.enrolment.completed.v1",
                "zll.enrolment.offer-answered.v1",
                "zll.recognition.declared.v1",
                "zll.recognition.decided.v1",
            ),
            "partner institutions (their own desk or registration system)",
        ),
        Topic(
            PROVIDER_OPPORTUNITIES,
            "opportunity_id or reporter id",
            (
                "zll.opportunity.upserted.v1",
                "zll.opportunity.withdrawn.v1",
                "zll.demand.reported.v1",
            ),
            "employers, chambers, job centre",
        ),
        Topic(
            CATALOG_COURSES,
            "course_id",
            ("zll.catalog.course-published.v1", "zll.catalog.course-withdrawn.v1"),
            "catalog",
        ),
        Topic(
            ENROLMENTS,
            "course_id",
            (
                "zll.enrolment.confirmed.v1",
                "zll.enrolment.waitlisted.v1",
                "zll.enrolment.rejected.v1",
                "zll.enrolment.cancelled.v1",
                "zll.enrolment.certified.v1",
                "zll.enrolment.offered.v1",
                "zll.enrolment.offer-declined.v1",
                "zll.enrolment.offer-expired.v1",
                "zll.recognition.requested.v1",
                "zll.recognition.answered.v1",
                "zll.recognition.declaration-recorded.v1",
                "zll.enrolment.certificate-revoked.v1",
                "zll.enrolment.certificate-suspended.v1",
            ),
            "enrolment",
        ),
        Topic(
            PLACEMENTS,
            "learner_id",
            (
                "zll.placement.proposed.v1",
                "zll.placement.accepted.v1",
                "zll.placement.declined.v1",
            ),
            "matching",
        ),
        Topic(DEMAND, "municipality", ("zll.demand.gap-detected.v1",), "matching"),
        Topic(
            FEEDBACK,
            "provider_id",
            ("zll.feedback.rejected.v1", "zll.feedback.import-reported.v1"),
            "any service",
        ),
        Topic(
            LEARNERS,
            "learner_id",
            ("zll.learner.erasure-requested.v1",),
            "matching, on the learner's or an operator's request",
        ),
        Topic(
            PROJECTS,
            "project_id",
            (
                "zll.project.state-changed.v1",
                "zll.project.member-invited.v1",
                "zll.project.member-answered.v1",
            ),
            "cooperative",
        ),
        Topic(DLQ, "original key", (), "any service"),
    )
}


def topic(name: str) -> Topic:
    """Look up a registered topic; an unknown name is a programming error."""
    return TOPICS[name]


_CARRIED_BY = {event_type: t.name for t in TOPICS.values() for event_type in t.event_types}


def topic_carrying(event_type: str) -> str:
    """The one topic an event type travels on; an unknown type is a programming error."""
    return _CARRIED_BY[event_type]
