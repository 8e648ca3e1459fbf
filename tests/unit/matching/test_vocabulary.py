"""The shipped ESCO vocabulary: labels for URIs, unknown URIs spotted, free text resolved."""

from __future__ import annotations

from zll.platform.esco.vocabulary import vocabulary


def test_the_vocabulary_holds_esco_skills_and_occupations() -> None:
    terms = vocabulary().terms.values()
    kinds = {t.kind for t in terms}
    assert kinds == {"skill", "occupation"}
    assert sum(t.kind == "skill" for t in terms) > 10_000


def test_a_known_uri_has_a_label_and_an_unknown_one_is_spotted() -> None:
    v = vocabulary()
    (welding,) = v.resolve("plastic welding", kind="skill", limit=1)
    assert v.known(welding.uri)
    assert "weld" in v.label(welding.uri)
    unknown = "http://data.europa.eu/esco/skill/not-a-skill"
    assert not v.known(unknown)
    assert v.label(unknown) == unknown


def test_english_free_text_resolves_to_skills_about_it() -> None:
    matches = vocabulary().resolve("welding", kind="skill")
    assert matches
    assert all(
        "weld" in m.label.lower() or "weld" in vocabulary().terms[m.uri].alt_labels for m in matches
    )


def test_german_free_text_resolves_through_the_german_word_table() -> None:
    labels = [m.label.lower() for m in vocabulary().resolve("Buchhaltung")]
    assert any("bookkeeping" in label or "accounting" in label for label in labels)
    forklift = [m.label.lower() for m in vocabulary().resolve("Gabelstapler fahren", kind="skill")]
    assert any("forklift" in label for label in forklift)


def test_text_with_no_known_word_resolves_to_nothing() -> None:
    assert vocabulary().resolve("qwxz zzyq") == []
