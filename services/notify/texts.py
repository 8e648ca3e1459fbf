"""Renders a notice into its subject, plain text and HTML from the Jinja2 templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from services.notify.domain import DEFAULT_LOCALE, LOCALES

TEMPLATES = Path(__file__).parent / "templates"
FOOTERS = {
    "de": "ZLL – Zentrum Lebensbegleitenden Lernens. Welche Nachrichten Sie auf welchem Weg "
    "erhalten, stellen Sie in Ihren Benachrichtigungs-Einstellungen ein.",
    "en": "ZLL – regional centre of lifelong learning. Choose which messages reach you and "
    "how in your notification preferences.",
}


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # StrictUndefined: a template that names a missing field fails in the unit tests, not
    # silently in a learner's mailbox. HTML is escaped, plain text is not.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # The templates ship with the code: no stat of each file on every notice rendered
        # (~5 % of notify's CPU per enrolment event at 500/s, `make bench BENCH=e2e`).
        auto_reload=False,
    )


def render(kind: str, locale: str, data: Mapping[str, Any]) -> Rendered:
    """The first line of the text template is the subject; the rest is the body."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    env = _environment()
    context = {"locale": locale, "footer": FOOTERS[locale], **_defaults(data)}
    subject, _, body = env.get_template(f"{locale}/{kind}.txt").render(context).partition("\n")
    subject = subject.strip()
    text = body.strip() + "\n\n-- \n" + FOOTERS[locale] + "\n"
    html = env.get_template(f"{locale}/{kind}.html").render(context, subject=subject)
    return Rendered(subject, text, html)


def _defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """Optional fields every template may test with `{% if %}` under StrictUndefined."""
    return {
        "start_date": None,
        "end_date": None,
        "place": None,
        "reason": None,
        "about": None,  # a refusal sent before refusals named their course
        **data,
    }


def localized(row: dict[str, Any], language: str) -> dict[str, Any]:
    """An inbox row with `subject` and `text` in `language`, rendered again from its data.

    Rows keep the text they were sent in (the recipient's language, for e-mail); a reader
    asking in another language gets the same notice from the same templates.
    """
    if row["locale"] == language or language not in LOCALES:
        return row
    try:
        again = render(row["kind"], language, row["data"])
    except jinja2.TemplateError:
        # A row older than a template change keeps the text it was sent with.
        return row
    return {**row, "locale": language, "subject": again.subject, "text": again.text}
