"""The catalog's texts for people (problem documents), German and English."""

from __future__ import annotations

from zll.platform.i18n import Catalogue
from zll.platform.messages import MESSAGES as PLATFORM

MESSAGES = Catalogue(
    {
        "de": {
            "provider-not-found": "Anbieter nicht gefunden",
            "provider-not-found.detail": "Kein Anbieter „{provider_id}“ ist registriert.",
            "course-not-found": "Kurs nicht gefunden",
            "course-not-found.detail": "Kein Kurs „{course_id}“ ist im Katalog.",
            "filter.eqf-both": "entweder eqf_level oder eqf_min/eqf_max, nicht beides",
            "filter.eqf-order": "eqf_min ({eqf_min}) liegt über eqf_max ({eqf_max})",
            "filter.dates": "starts_before muss später als starts_after sein",
            "filter.near-unknown": "„{near}“ ist keine bekannte deutsche Postleitzahl und kein "
            "bekannter Ort",
        },
        "en": {
            "provider-not-found": "Provider not found",
            "provider-not-found.detail": "No provider {provider_id!r} is registered.",
            "course-not-found": "Course not found",
            "course-not-found.detail": "No course {course_id!r} is in the catalogue.",
            "filter.eqf-both": "use either eqf_level or eqf_min/eqf_max, not both",
            "filter.eqf-order": "eqf_min ({eqf_min}) is above eqf_max ({eqf_max})",
            "filter.dates": "starts_before must be later than starts_after",
            "filter.near-unknown": "{near!r} is neither a known German postcode nor a known town",
        },
    },
    base=PLATFORM,
)
