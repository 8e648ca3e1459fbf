"""Matching's texts for people (problem documents), German and English."""

from __future__ import annotations

from zll.platform.i18n import Catalogue
from zll.platform.messages import MESSAGES as PLATFORM

MESSAGES = Catalogue(
    {
        "de": {
            "round-refused": "Vergaberunde abgelehnt",
            "offer-not-open": "Angebot nicht offen",
            "offer-not-open.detail": "Kein laufendes Angebot ({offer_kind}) „{offer_id}“ mit "
            "freien Plätzen ist bekannt.",
            "offer-not-open.field": "kein laufendes Angebot dieser Art",
            "round-not-found": "Vergaberunde nicht gefunden",
            "round-not-found.detail": "Keine Vergaberunde {round_id}.",
            "round-finished": "Vergaberunde abgeschlossen",
            "round-finished.detail": "Die Vergaberunde {round_id} hat alle ihre {waves} Wellen "
            "durchlaufen; ein neuer Lauf ist eine neue Runde (mit `replaces`).",
            "own-outcome-only": "Lernende sehen nur ihr eigenes Ergebnis.",
            "outcome-not-found": "Ergebnis nicht gefunden",
            "outcome-not-found.detail": "Die Vergaberunde {round_id} hat kein Ergebnis für "
            "„{learner_id}“.",
            "own-placements-only": "Lernende sehen nur ihre eigenen Vermittlungen.",
            "placement-decided": "Vermittlung schon entschieden",
            "placement-decided.detail": "Die Vermittlung ist schon entschieden ({status}).",
            "placement-not-found": "Vermittlung nicht gefunden",
            "placement-not-found.detail": "Keine Vermittlung {placement_id}.",
            "own-profile-only": "Lernende sehen und ändern nur ihr eigenes Profil.",
            "profile-refused": "Profil abgelehnt",
            "profile-refused.detail": "Einige Angaben sind unbekannt.",
            "goal-not-understood": "Ziel nicht verstanden",
            "goal-not-understood.detail": "Nennen Sie Kompetenzen, einen Beruf oder Wörter, "
            "die zu ESCO-Begriffen passen.",
            "goal-not-understood.field": "ergibt keine ESCO-Kompetenz",
            "no-profile": "Kein Profil",
            "no-profile.detail": "Für „{learner_id}“ gibt es noch kein Profil.",
            "own-erasure-only": "Lernende können nur die Löschung ihrer eigenen Daten verlangen.",
        },
        "en": {
            "round-refused": "Round refused",
            "offer-not-open": "Offer not open",
            "offer-not-open.detail": "No live {offer_kind} {offer_id!r} with free places is known.",
            "offer-not-open.field": "not a live offer of this kind",
            "round-not-found": "Round not found",
            "round-not-found.detail": "No round {round_id}.",
            "round-finished": "Round finished",
            "round-finished.detail": "Round {round_id} has run all its {waves} waves; to run "
            "it again, start a new round (with `replaces`).",
            "own-outcome-only": "A learner sees only their own outcome.",
            "outcome-not-found": "Outcome not found",
            "outcome-not-found.detail": "Round {round_id} has no outcome for {learner_id!r}.",
            "own-placements-only": "A learner sees only their own placements.",
            "placement-decided": "Placement already decided",
            "placement-decided.detail": "The placement was already {status}.",
            "placement-not-found": "Placement not found",
            "placement-not-found.detail": "No placement {placement_id}.",
            "own-profile-only": "A learner sees and changes only their own profile.",
            "profile-refused": "Profile refused",
            "profile-refused.detail": "Some values are not known.",
            "goal-not-understood": "Goal not understood",
            "goal-not-understood.detail": "Name goal skills, an occupation, or words that match "
            "ESCO labels.",
            "goal-not-understood.field": "resolves to no ESCO skill",
            "no-profile": "No profile",
            "no-profile.detail": "Learner {learner_id!r} has no profile yet.",
            "own-erasure-only": "A learner may ask only for their own erasure.",
        },
    },
    base=PLATFORM,
)
