"""Who hears what: notify's domain, without a database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from services.notify import domain, texts
from services.notify.domain import CourseFacts, Reach, Recipient, Webhook

WELDING = CourseFacts(
    course_id="vhs-kassel:sw-101",
    provider_id="vhs-kassel",
    title="Schweißen Grundkurs",
    start_date=date(2027, 3, 1),
    end_date=date(2027, 4, 30),
    place="Wilhelmshöher Allee 19, 34117 Kassel",
    skills=frozenset({"http://data.europa.eu/esco/skill/welding"}),
    revision=3,
)
LENA = Recipient("learner", "lena")
VHS = Recipient("partner", "vhs-kassel")


def test_a_confirmed_learner_hears_of_the_seat_and_the_provider_of_the_new_participant() -> None:
    notices = domain.enrolment_confirmed("e1", WELDING.course_id, "lena", False, WELDING)

    assert [(n.recipient, n.kind) for n in notices] == [
        (LENA, "enrolment.confirmed"),
        (VHS, "enrolment.new"),
    ]
    assert notices[0].data["course_title"] == "Schweißen Grundkurs"
    assert notices[1].data["learner_id"] == "lena"


def test_a_promoted_learner_hears_they_moved_up_from_the_waitlist() -> None:
    notices = domain.enrolment_confirmed("e1", WELDING.course_id, "lena", True, WELDING)

    assert notices[0].kind == "enrolment.promoted"
    assert notices[1].data["status"] == "enrolment.promoted"


def test_a_seat_offer_reaches_the_learner_with_its_deadline_and_the_provider_too() -> None:
    deadline = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    notices = domain.offer_made("e1", WELDING.course_id, "lena", deadline, WELDING, "http://e")

    assert [(n.recipient, n.kind) for n in notices] == [
        (LENA, "offer.made"),
        (VHS, "enrolment.offer"),
    ]
    assert notices[0].data["accept_url"] == "http://e/enrolments/e1/offer/accept"
    assert notices[0].data["deadline_local"] == "2027-02-20 10:00"  # Kassel's clock
    assert notices[1].data["status"] == "offered"


def test_a_declined_offer_is_news_to_the_provider_only_and_an_expired_one_to_both() -> None:
    declined = domain.offer_declined("e1", WELDING.course_id, "lena", WELDING)
    expired = domain.offer_expired("e1", WELDING.course_id, "lena", WELDING)

    assert [(n.recipient, n.data["status"]) for n in declined] == [(VHS, "declined")]
    assert [(n.recipient, n.kind) for n in expired] == [
        (LENA, "offer.expired"),
        (VHS, "enrolment.offer"),
    ]
    assert expired[1].data["status"] == "expired"


def test_the_provider_is_known_from_the_course_id_even_before_the_catalog_told_us() -> None:
    notices = domain.enrolment_confirmed("e1", "vhs-lippe:pc-1", "lena", False, None)

    assert notices[1].recipient == Recipient("partner", "vhs-lippe")
    assert notices[0].data["course_title"] == "vhs-lippe:pc-1"


def test_a_waitlisted_learner_hears_their_position() -> None:
    [notice] = domain.enrolment_waitlisted("e1", WELDING.course_id, "lena", 4, WELDING)

    assert (notice.recipient, notice.kind, notice.data["position"]) == (
        LENA,
        "enrolment.waitlisted",
        4,
    )


def test_a_cancelled_learner_hears_who_cancelled_and_why() -> None:
    [notice] = domain.enrolment_cancelled(
        "e1", WELDING.course_id, "lena", "withdrawal", "Dozent erkrankt", WELDING
    )

    assert notice.kind == "enrolment.cancelled"
    assert notice.data["cancelled_by"] == "withdrawal"
    assert notice.data["reason"] == "Dozent erkrankt"


def test_a_certified_learner_gets_the_link_to_verify_the_certificate() -> None:
    [notice] = domain.certificate_issued(
        "e1", WELDING.course_id, "lena", "cert-9", ["m1"], WELDING, "http://x/certificates/cert-9"
    )

    assert notice.kind == "certificate.issued"
    assert notice.data["verify_url"] == "http://x/certificates/cert-9"


def test_a_learner_whose_certificate_is_revoked_hears_why() -> None:
    [notice] = domain.certificate_revoked(
        "e1", WELDING.course_id, "lena", "cert-9", "Falsches Modul", WELDING
    )

    assert (notice.recipient.kind, notice.recipient.id) == ("learner", "lena")
    text = texts.render(notice.kind, "de", notice.data)
    assert "widerrufen" in text.subject
    assert "Falsches Modul" in text.text
    assert "cert-9" in text.text


def test_a_placement_proposal_says_how_to_accept() -> None:
    [notice] = domain.placement_proposed(
        "p1", "lena", WELDING.course_id, "course", WELDING, "http://m/p1/accept", "http://m/p1/d"
    )

    assert notice.recipient == LENA
    assert notice.data["accept_url"] == "http://m/p1/accept"
    assert notice.data["course_title"] == WELDING.title


def test_learners_hear_when_their_course_moves_in_time_or_place() -> None:
    moved = CourseFacts(**{**_fields(WELDING), "start_date": date(2027, 3, 8), "place": None})

    notices = domain.course_changed(WELDING, moved, ["tom", "lena"])

    assert [n.recipient.id for n in notices] == ["lena", "tom"]
    assert notices[0].data["changes"] == {
        "start_date": {"before": "2027-03-01", "after": "2027-03-08"},
        "place": {"before": WELDING.place, "after": None},
    }


def test_nobody_hears_of_a_new_title_or_of_a_course_seen_for_the_first_time() -> None:
    retitled = CourseFacts(**{**_fields(WELDING), "title": "Schweißen für Einsteiger"})

    assert domain.course_changed(WELDING, retitled, ["lena"]) == []
    assert domain.course_changed(None, WELDING, ["lena"]) == []


def test_providers_that_teach_a_missing_skill_are_advised_to_offer_more() -> None:
    notices = domain.demand_gap(
        "http://data.europa.eu/esco/skill/welding", None, "Kassel", "short", 40, 12, 28,
        ["vhs-kassel", "bs-kassel", "vhs-kassel"],
    )  # fmt: skip

    assert [n.recipient.id for n in notices] == ["bs-kassel", "vhs-kassel"]
    assert notices[0].data["gap"] == 28


def test_no_shortfall_means_no_advice() -> None:
    skill = "http://data.europa.eu/esco/skill/welding"
    assert domain.demand_gap(skill, None, "Kassel", "short", 10, 12, -2, ["vhs-kassel"]) == []


def test_an_invited_member_hears_what_it_would_cover_why_and_where_to_answer() -> None:
    [notice] = domain.project_invited(
        "vhs-lippe", "proj-1", "Pflege Lippe",
        [{"skill": "http://data.europa.eu/esco/skill/care", "municipality": "Lemgo"}],
        ["Hat 2 passende Kurse angeboten."], "http://coop/projects/proj-1/answers",
    )  # fmt: skip

    assert (notice.recipient.kind, notice.recipient.id) == ("partner", "vhs-lippe")
    assert notice.category == "project"
    text = texts.render(notice.kind, "de", notice.data)
    assert "Lemgo" in text.text
    assert "Hat 2 passende Kurse angeboten." in text.text
    assert "http://coop/projects/proj-1/answers" in text.html


def test_a_partner_hears_why_its_event_was_refused() -> None:
    [notice] = domain.feedback_rejected(
        "vhs-kassel", "ce-1", "zll.provider.courses.v1", [{"field": "title", "message": "empty"}]
    )

    assert (notice.recipient, notice.kind, notice.category) == (
        VHS,
        "feedback.rejected",
        "feedback",
    )
    assert notice.data["errors"] == [{"field": "title", "message": "empty"}]


def test_the_locale_falls_back_to_german() -> None:
    assert [domain.locale_of(x) for x in ("en-GB", "EN_us", "fr", None, "de-AT")] == [
        "en",
        "en",
        "de",
        "de",
        "de",
    ]


def test_routing_honours_channels_categories_and_the_webhooks_event_filter() -> None:
    [_, new] = domain.enrolment_confirmed("e1", WELDING.course_id, "lena", False, WELDING)
    hook = Webhook("https://vhs.example/hook", frozenset({"enrolment.new"}))

    everything = domain.route(new, Reach(email="kurse@vhs.example", webhook=hook))
    no_mail = domain.route(new, Reach(channels_off=frozenset({"email"}), webhook=hook))
    filtered = domain.route(new, Reach(webhook=Webhook("https://x", frozenset({"demand.gap"}))))
    silenced = domain.route(new, Reach(categories_off=frozenset({"enrolment"})))

    assert everything is not None
    assert everything.channels == ("inbox", "email", "webhook")
    assert no_mail is not None
    assert no_mail.channels == ("inbox", "webhook")
    assert filtered is not None
    assert filtered.channels == ("inbox",)
    assert silenced is None


def test_learners_never_get_webhooks_and_without_any_channel_nothing_is_recorded() -> None:
    [mine, _] = domain.enrolment_confirmed("e1", WELDING.course_id, "lena", False, WELDING)

    routed = domain.route(mine, Reach(webhook=Webhook("https://x", frozenset()), locale="en"))
    nothing = domain.route(mine, Reach(channels_off=frozenset({"inbox", "email"})))

    assert routed is not None
    assert routed.channels == ("inbox",)
    assert routed.locale == "en"
    assert nothing is None


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(7)
    delays = [domain.retry_delay(n, 10, 3600, rng) for n in range(1, 12)]

    assert 5 <= delays[0] <= 10
    assert 10 <= delays[1] <= 20
    assert 20 <= delays[2] <= 40
    assert all(1800 <= d <= 3600 for d in delays[-2:])
    assert len({round(d, 3) for d in delays}) == len(delays)  # jittered, not in lockstep


def test_the_default_schedule_keeps_trying_for_hours() -> None:
    assert 3 < domain.schedule_hours(12, 10, 3600) < 6


def _fields(course: CourseFacts) -> dict[str, object]:
    return {name: getattr(course, name) for name in course.__dataclass_fields__}


def test_the_provider_hears_of_a_request_for_recognition_and_the_learner_of_the_answer() -> None:
    reasons = ["Modul 2 wird angerechnet: Finanzbuchhaltung I, vhs-nord, 2026, EQF 4, 40 h"]
    asked = domain.recognition_requested("r1", WELDING.course_id, "lena", reasons, WELDING)
    answered = domain.recognition_answered(
        "r1", WELDING.course_id, "lena", "partial", ["m2"], "Modul 3: Nachweis zu alt", WELDING
    )

    assert [(n.recipient, n.kind) for n in asked + answered] == [
        (VHS, "recognition.requested"),
        (LENA, "recognition.answered"),
    ]
    assert asked[0].data["reasons"] == reasons
    assert (answered[0].data["outcome"], answered[0].data["reason"]) == (
        "partial",
        "Modul 3: Nachweis zu alt",
    )
