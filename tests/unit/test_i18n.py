"""Texts for people: German unless the caller prefers English, every text in both languages."""

from __future__ import annotations

import pytest

from zll.platform.i18n import Catalogue, negotiate, say
from zll.platform.messages import MESSAGES


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "de"),
        ("", "de"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, de;q=0.8", "de"),
        ("fr, en;q=0.1", "en"),
        ("de;q=0, en", "en"),
        ("*", "de"),
        ("en;q=nonsense, de", "de"),
        ("\x00;;;,,q=", "de"),
    ],
)
def test_german_unless_english_is_preferred(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_a_catalogue_refuses_a_text_missing_in_one_language() -> None:
    with pytest.raises(ValueError, match="not in every language"):
        Catalogue({"de": {"a": "A", "b": "B"}, "en": {"a": "A"}})


def test_a_catalogue_refuses_different_placeholders_per_language() -> None:
    with pytest.raises(ValueError, match="placeholders"):
        Catalogue({"de": {"a": "Kurs {course_id}"}, "en": {"a": "Course {id}"}})


def test_a_text_is_said_in_the_language_asked_for_and_falls_back_to_its_base() -> None:
    texts = Catalogue(
        {"de": {"gone": "Kurs {id} fehlt"}, "en": {"gone": "Course {id} is gone"}}, base=MESSAGES
    )
    assert say(texts("gone", id="k1"), "en") == "Course k1 is gone"
    assert str(texts("gone", id="k1")) == "Kurs k1 fehlt"
    assert say(texts("forbidden"), "de") == "Keine Berechtigung"
    assert say("as it is", "en") == "as it is"
    with pytest.raises(KeyError):
        texts("no-such-text")


def test_a_text_inside_a_text_is_said_in_the_same_language() -> None:
    texts = Catalogue(
        {
            "de": {"who": "Lernende:r {id}", "gone": "{who} fehlt"},
            "en": {"who": "learner {id}", "gone": "{who} is gone"},
        }
    )
    gone = texts("gone", who=texts("who", id="lena"))
    assert (say(gone, "de"), say(gone, "en")) == ("Lernende:r lena fehlt", "learner lena is gone")
