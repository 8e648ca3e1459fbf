"""Notify's texts for people in problem documents, German and English.

(Notification texts themselves are Jinja2 templates per language: `templates/<lang>/`.)
"""

from __future__ import annotations

from zll.platform.i18n import Catalogue
from zll.platform.messages import MESSAGES as PLATFORM

MESSAGES = Catalogue(
    {
        "de": {
            "who.learner": "Lernende:r {id}",
            "who.partner": "Partner {id}",
            "forbidden.not-yours": "Das gehört {who}; Ihr Token nicht.",
            "forbidden.operator": "Dafür ist die Rolle operator nötig.",
            "notification-not-found": "{who} hat keine Benachrichtigung {id}.",
            "webhook-not-found": "Partner {id} hat keinen Webhook.",
            "delivery-not-found": "{who} hat keine Zustellung {id}.",
            "invalid-ticket": "Ungültiges Stream-Ticket",
            "invalid-ticket.detail": "{reason}; bitte ein neues anfordern.",
            "ticket-not-yours": "Dieses Ticket gilt nicht für {who}.",
            "stream-authentication": "Übergeben Sie ?ticket= oder ein Bearer-Token.",
        },
        "en": {
            "who.learner": "learner {id}",
            "who.partner": "partner {id}",
            "forbidden.not-yours": "This is {who}'s; your token is not.",
            "forbidden.operator": "This needs the role: operator.",
            "notification-not-found": "{who} has no notification {id}.",
            "webhook-not-found": "Partner {id} has no webhook.",
            "delivery-not-found": "{who} has no delivery {id}.",
            "invalid-ticket": "Invalid stream ticket",
            "invalid-ticket.detail": "{reason}; ask for a new one.",
            "ticket-not-yours": "This ticket is not for {who}.",
            "stream-authentication": "Pass ?ticket= or a bearer token.",
        },
    },
    base=PLATFORM,
)
