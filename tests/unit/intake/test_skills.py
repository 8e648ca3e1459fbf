"""Imported courses get the ESCO skills their titles name, marked as inferred, and no guesses."""

from __future__ import annotations

from services.intake.mapping import infer_missing_skills, one_module
from services.intake.skills import inferred_skills
from zll.platform.esco.vocabulary import vocabulary

WELDING = "perform metal active gas welding"


def labels(title: str) -> list[str]:
    return [vocabulary().label(uri) for uri in inferred_skills(title)]


def test_a_title_that_names_a_skill_gets_it() -> None:
    assert WELDING in labels("Schweißen MAG Grundkurs")
    assert "first aid" in labels("Erste Hilfe Kurs")


def test_a_title_the_vocabulary_cannot_place_gets_no_skill_rather_than_a_wrong_one() -> None:
    assert labels("Zumba für Anfänger") == []


def test_at_most_two_skills_are_inferred() -> None:
    # The title names three skills the vocabulary knows; two are kept (`<= 2` passed on none).
    assert len(inferred_skills("Buchhaltung Schweißen Erste Hilfe Yoga")) == 2


def test_an_imported_module_says_its_skills_were_inferred() -> None:
    welding = {"modules": [one_module("kurs", "Schweißen MAG Grundkurs", 40, 3, "attendance")]}
    zumba = {"modules": [one_module("kurs", "Zumba für Anfänger", 10, 1, "none")]}
    infer_missing_skills(welding)
    infer_missing_skills(zumba)
    assert welding["modules"][0]["skills_inferred"] is True
    assert welding["modules"][0]["skills"] == inferred_skills("Schweißen MAG Grundkurs")
    assert zumba["modules"][0]["skills_inferred"] is False
