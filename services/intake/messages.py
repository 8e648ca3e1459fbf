"""Intake's texts for people (problem documents), German and English."""

from __future__ import annotations

from services.intake.model import Message
from zll.platform.i18n import Catalogue, Text
from zll.platform.messages import MESSAGES as PLATFORM

MESSAGES = Catalogue(
    {
        "de": {
            "import-not-found": "Import nicht gefunden",
            "import-not-found.detail": "Es gibt keinen Import „{import_id}“.",
            "other-provider": "Nicht erlaubt",
            "other-provider.detail": "Dieses Token gehört nicht zum Anbieter „{provider_id}“.",
            "document-refused": "Datei nicht übernommen",
            "too-large": "Datei zu groß",
            "too-large.detail": "Die Datei ist größer als {limit} Bytes. Es wurde nichts "
            "übernommen.",
            "feed-not-found": "Kein Feed registriert",
            "feed-not-found.detail": "Für den Anbieter „{provider_id}“ ist kein Feed registriert.",
            "feed-busy": "Feed wird gerade abgerufen",
            "feed-busy.detail": "Der Feed wird gerade abgerufen; bitte später erneut versuchen.",
        },
        "en": {
            "import-not-found": "Import not found",
            "import-not-found.detail": "There is no import {import_id!r}.",
            "other-provider": "Forbidden",
            "other-provider.detail": "This token does not belong to provider {provider_id!r}.",
            "document-refused": "File not taken",
            "too-large": "File too large",
            "too-large.detail": "The file is larger than {limit} bytes. Nothing was taken.",
            "feed-not-found": "No feed registered",
            "feed-not-found.detail": "No feed is registered for provider {provider_id!r}.",
            "feed-busy": "Feed is being pulled",
            "feed-busy.detail": "The feed is being pulled right now; please try again later.",
        },
    },
    base=PLATFORM,
)


def said(message: Message) -> Text:
    """The core's two-language sentence as a text said in the caller's language."""

    def literal(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    return Catalogue({"de": {"m": literal(message.de)}, "en": {"m": literal(message.en)}})("m")
