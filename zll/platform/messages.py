"""The platform's own texts for people: problem documents every service may answer with.

Services keep their own catalogues (`services/<name>/messages.py`) with this one as the
base, so a service says "Keine Berechtigung" the same way as the platform does.
"""

from __future__ import annotations

from zll.platform.i18n import Catalogue

MESSAGES = Catalogue(
    {
        "de": {
            "invalid-request": "Ungültige Anfrage",
            "invalid-request.detail": "Bitte prüfen Sie diese Felder: {fields}",
            "invalid-request.nul": "Ein Text enthält das Nullzeichen (U+0000), das nicht "
            "gespeichert werden kann.",
            "invalid-cursor": "Ungültiger Cursor",
            "invalid-cursor.detail": "Verwenden Sie den next_cursor einer vorigen Seite, "
            "mit denselben übrigen Parametern.",
            "invalid-cursor.garbled": "kein Cursor, den diese API ausgegeben hat",
            "invalid-cursor.other-query": "dieser Cursor gehört zu einer Anfrage mit anderen "
            "Parametern",
            "authentication-required": "Anmeldung erforderlich",
            "authentication-required.detail": "Senden Sie Authorization: Bearer <Token>.",
            "invalid-token": "Ungültiges Token",
            "invalid-token.detail": "Das Token wurde nicht angenommen: {reason}",
            "invalid-token.role": "Das Token nennt eine unbekannte Rolle: {role!r}",
            "forbidden": "Keine Berechtigung",
            "forbidden.roles": "Dafür ist eine dieser Rollen nötig: {roles}.",
            "not-found": "Nicht gefunden",
            "not-found.path": "Hier gibt es nichts: {path}",
            "method-not-allowed": "Methode nicht erlaubt",
            "method-not-allowed.detail": "{method} ist hier nicht erlaubt.",
            "unavailable": "Dienst nicht verfügbar",
            "unavailable.database": "Die Datenbank ist gerade nicht erreichbar; bitte gleich "
            "noch einmal versuchen.",
            "internal-error": "Interner Fehler",
            "internal-error.detail": "Der Fehler wurde protokolliert.",
        },
        "en": {
            "invalid-request": "Invalid request",
            "invalid-request.detail": "Check these fields: {fields}",
            "invalid-request.nul": "A text contains the NUL character (U+0000), which cannot "
            "be stored.",
            "invalid-cursor": "Invalid cursor",
            "invalid-cursor.detail": "Use the next_cursor of a previous page, with the same "
            "other parameters.",
            "invalid-cursor.garbled": "not a cursor this API issued",
            "invalid-cursor.other-query": "this cursor belongs to a request with other parameters",
            "authentication-required": "Authentication required",
            "authentication-required.detail": "Send Authorization: Bearer <token>.",
            "invalid-token": "Invalid token",
            "invalid-token.detail": "The token was not accepted: {reason}",
            "invalid-token.role": "The token names an unknown role: {role!r}",
            "forbidden": "Forbidden",
            "forbidden.roles": "This needs one of the roles: {roles}.",
            "not-found": "Not found",
            "not-found.path": "Nothing here: {path}",
            "method-not-allowed": "Method not allowed",
            "method-not-allowed.detail": "{method} is not allowed here.",
            "unavailable": "Service unavailable",
            "unavailable.database": "The database is not reachable right now; retry shortly.",
            "internal-error": "Internal error",
            "internal-error.detail": "The error was logged.",
        },
    }
)
