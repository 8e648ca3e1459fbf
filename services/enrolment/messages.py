"""The enrolment service's texts for people (problem documents), German and English."""

from __future__ import annotations

from zll.platform.i18n import Catalogue
from zll.platform.messages import MESSAGES as PLATFORM

MESSAGES = Catalogue(
    {
        "de": {
            "enrol.own-only": "Lernende können nur sich selbst anmelden.",
            "enrol.own-id": "muss Ihre eigene Kennung sein",
            "idempotency-key-reused": "Idempotency-Key schon verwendet",
            "idempotency-key-reused.detail": "Dieser Idempotency-Key gehört zu einer anderen "
            "Anmeldung.",
            "idempotency-key-reused.field": "schon für eine andere Anfrage verwendet",
            "enrolment-not-found": "Anmeldung nicht gefunden",
            "enrolment-not-found.detail": "Keine Anmeldung {enrolment_id} für Sie.",
            "cancel.role": "Ihre Rolle darf keine Anmeldungen stornieren.",
            "cannot-cancel": "Stornieren nicht möglich",
            "cannot-cancel.detail": "Die Anmeldung ist {status}; es gibt nichts zu stornieren.",
            "own-enrolments-only": "Sie sehen nur Ihre eigenen Anmeldungen.",
            "course-not-found": "Kurs nicht gefunden",
            "course-not-found.detail": "Das Platzbuch kennt den Kurs „{course_id}“ nicht.",
            "own-courses-only": "Ein Anbieter sieht nur seine eigenen Kurse.",
            "certificate-not-found": "Zertifikat nicht gefunden",
            "certificate-not-found.detail": "Kein Zertifikat „{certificate_id}“.",
            "certificate-erased": "Zertifikat gelöscht",
            "certificate-erased.detail": "Auf Wunsch der lernenden Person gelöscht. Eine Kopie, "
            "die sie besitzt, lässt sich weiter mit POST /certificates/verify prüfen.",
            "own-certificates-only": "Sie sehen nur Ihre eigenen Zertifikate.",
            "offer.own-only": "Nur die lernende Person selbst oder eine Beratung kann ein "
            "Platzangebot annehmen oder ablehnen.",
            "offer.none": "Kein offenes Platzangebot",
            "offer.none.detail": "Für diese Anmeldung ist kein Platz reserviert (Stand: {status}).",
            "offer.expired": "Platzangebot abgelaufen",
            "offer.expired.detail": "Die Frist zum Annehmen ist am {deadline} abgelaufen; der "
            "Platz geht an die nächste Person auf der Warteliste.",
            "recognition-refused": "Anrechnung nicht möglich",
            "evidence-refused": "Nachweis abgelehnt",
            "recognition-not-found": "Antrag auf Anrechnung nicht gefunden",
            "said": "{de}{en:.0}",
            "status-list-not-found": "Statusliste nicht gefunden",
            "status-list-not-found.detail": "Die Statusliste {purpose}/{number} ist noch nicht "
            "begonnen.",
        },
        "en": {
            "enrol.own-only": "A learner may only enrol themself.",
            "enrol.own-id": "must be your own id",
            "idempotency-key-reused": "Idempotency-Key reused",
            "idempotency-key-reused.detail": "This Idempotency-Key was used for a different "
            "enrolment request.",
            "idempotency-key-reused.field": "already used for another request",
            "enrolment-not-found": "Enrolment not found",
            "enrolment-not-found.detail": "No enrolment {enrolment_id} for you.",
            "cancel.role": "Your role may not cancel enrolments.",
            "cannot-cancel": "Cannot cancel",
            "cannot-cancel.detail": "The enrolment is {status}; nothing to cancel.",
            "own-enrolments-only": "You may only see your own enrolments.",
            "course-not-found": "Course not found",
            "course-not-found.detail": "The ledger does not know {course_id!r}.",
            "own-courses-only": "A provider sees only its own courses.",
            "certificate-not-found": "Certificate not found",
            "certificate-not-found.detail": "No certificate {certificate_id!r}.",
            "certificate-erased": "Certificate erased",
            "certificate-erased.detail": "Erased at the learner's request. A copy the learner "
            "holds still verifies at POST /certificates/verify.",
            "own-certificates-only": "You may only see your own certificates.",
            "offer.own-only": "Only the learner or a counsellor can accept or decline a "
            "seat offer.",
            "offer.none": "No open seat offer",
            "offer.none.detail": "No seat is held for this enrolment (it is {status}).",
            "offer.expired": "Seat offer expired",
            "offer.expired.detail": "The deadline to accept passed at {deadline}; the seat "
            "goes to the next learner on the waiting list.",
            "recognition-refused": "Recognition not possible",
            "evidence-refused": "Credential refused",
            "recognition-not-found": "Request for recognition not found",
            "said": "{en}{de:.0}",
            "status-list-not-found": "Status list not found",
            "status-list-not-found.detail": "The status list {purpose}/{number} has not begun.",
        },
    },
    base=PLATFORM,
)
