"""The report's field: the ESCO skill group of a course's skills, read from the vocabulary."""

from __future__ import annotations

import pytest

from services.cooperative.domain.fields import OTHER, course_field, skill_group
from services.cooperative.store import field

ESCO = "http://data.europa.eu/esco/skill/"
FORKLIFT = ESCO + "28cb374e-6261-4133-8371-f9a5470145da"  # operate forklift
SPREADSHEETS = ESCO + "1973c966-f236-40c9-b2d4-5d71a89019be"  # use spreadsheets
BOOKKEEPING = ESCO + "ecc18804-a466-40d9-98b4-fba5cd67dd4b"  # accounting (knowledge)
GERMAN = ESCO + "4812a4ea-dc55-4dc6-b9b0-4a59bba2c647"  # German


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("operate forklift", "S8"),
        ("use spreadsheets", "S5"),  # a computer word beats the verb 'use'
        ("install electrical wiring", "S7"),
        ("assist patients with rehabilitation", "S3"),
        ("manage budgets", "S4"),
        ("advise on heating systems", "S1"),
        ("inspect welds", "S2"),
        ("load cargo", "S6"),
        ("accounting bookkeeping", "K04"),
        ("welding techniques", "K07"),
        ("German", "L"),
        ("hinduism", "K"),
    ],
)
def test_a_label_falls_in_its_skills_pillar_group(label: str, group: str) -> None:
    assert skill_group(label) == group


def test_a_course_falls_in_the_group_most_of_its_skills_are_in_not_its_first_skill() -> None:
    labels = {"a": "advise customers", "b": "install windows", "c": "repair roofs"}
    assert course_field(["a", "b", "c"], labels.get) == "S7 constructing"


def test_no_known_skill_falls_back_to_other() -> None:
    nothing: dict[str, str] = {}
    assert course_field([], nothing.get) == OTHER
    assert course_field(["urn:unknown"], nothing.get) == OTHER


def test_the_shipped_vocabulary_gives_real_skills_their_group() -> None:
    assert field([FORKLIFT]) == "S8 working with machinery and specialised equipment"
    assert field([SPREADSHEETS, BOOKKEEPING, SPREADSHEETS]) == "S5 working with computers"
    assert field([GERMAN]) == "L language skills and knowledge"
    assert field([ESCO + "not-in-esco"]) == OTHER
