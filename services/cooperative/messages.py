"""The cooperative's texts for people (problem documents), German and English."""

from __future__ import annotations

from zll.platform.errors import Refused
from zll.platform.i18n import Catalogue, Text
from zll.platform.messages import MESSAGES as PLATFORM
from zll.platform.problems import ProblemError

MESSAGES = Catalogue(
    {
        "de": {
            "not-found": "Nicht gefunden",
            "call-not-found.detail": "Es gibt keinen Aufruf „{call_id}“.",
            "gap-not-found.detail": "Es gibt keine Bedarfslücke {gap_id}.",
            "project-not-found.detail": "Es gibt kein Projekt „{project_id}“.",
            "gap-without-skill.detail": "Die Lücke {gap_id} nennt einen Beruf, keine "
            "Kompetenz; eröffnen Sie den Aufruf mit POST /calls und den Kompetenzen.",
            "gap-has-call.detail": "Aus der Lücke {gap_id} wurde schon der Aufruf "
            "„{call_id}“ eröffnet.",
            "refused": "Nicht möglich",
            "other-provider.detail": "Dieses Token gehört nicht zum Mitglied „{provider_id}“.",
        },
        "en": {
            "not-found": "Not found",
            "call-not-found.detail": "There is no call {call_id!r}.",
            "gap-not-found.detail": "There is no demand gap {gap_id}.",
            "project-not-found.detail": "There is no project {project_id!r}.",
            "gap-without-skill.detail": "Gap {gap_id} names an occupation, not a skill; open "
            "the call with POST /calls and the skills.",
            "gap-has-call.detail": "Call {call_id!r} was already opened from gap {gap_id}.",
            "refused": "Not possible",
            "other-provider.detail": "This token does not belong to member {provider_id!r}.",
        },
    },
    base=PLATFORM,
)


def _said(de: str, en: str) -> Text:
    def literal(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    return Catalogue({"de": {"m": literal(de)}, "en": {"m": literal(en)}})("m")


def refused(error: Refused, status: int = 409) -> ProblemError:
    """A broken rule of the domain as a problem document in the caller's language."""
    first = error.problems[0]
    detail = _said(first.message_de or first.message, first.message_en or first.message)
    errors = [{"field": p.field, "message": p.message} for p in error.problems]
    return ProblemError(status, MESSAGES("refused"), detail, errors=errors)


def not_found(key: str, **ids: object) -> ProblemError:
    return ProblemError(404, MESSAGES("not-found"), MESSAGES(f"{key}.detail", **ids))
