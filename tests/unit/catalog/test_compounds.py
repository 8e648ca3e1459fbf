"""German compounds as a learner meets them: a word finds the compounds that contain it."""

from __future__ import annotations

from pathlib import Path

from services.catalog import compounds

DATA = Path(__file__).parents[2] / "data"


def test_a_compound_is_cut_into_its_dictionary_words() -> None:
    assert compounds.split("Altenpflegehilfe") == ("alten", "pflege", "hilfe")
    assert compounds.split("Finanzbuchhaltung") == ("finanz", "buch", "haltung")
    assert compounds.split("Arbeitsschutz") == ("arbeit", "schutz")  # the linking s dropped


def test_a_word_of_its_own_stays_whole() -> None:
    assert compounds.split("Wirtschaft") == ("wirtschaft",)  # not Wirt + schaft
    assert compounds.split("Einführung") == ("einführung",)  # listed, no linking element
    assert compounds.split("Kurs") == ("kurs",)


def test_the_index_gets_each_part_and_each_run_of_neighbouring_parts() -> None:
    assert compounds.spans("Finanzbuchhaltung") == [
        "finanz", "finanzbuch", "buch", "buchhaltung", "haltung",
    ]  # fmt: skip
    assert "pflege" in compounds.index_text("Altenpflegehilfe – Ausbildung in Teilzeit")
    assert compounds.spans("Kurs") == []


def test_only_nouns_of_a_text_are_split() -> None:
    assert compounds.index_text("berufsbegleitend lernen") == ""


def gold() -> dict[str, tuple[str, ...] | None]:
    rows = (line.split("\t") for line in (DATA / "compound_splits.tsv").read_text().splitlines()
            if line and not line.startswith("#"))  # fmt: skip
    return {word: None if parts == "-" else tuple(parts.split("+")) for word, parts in rows}


def titles() -> list[str]:
    lines = (DATA / "course_titles.txt").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_the_200_course_titles_are_all_judged() -> None:
    judged, nouns = gold(), set()
    assert len(titles()) == 200
    for title in titles():
        nouns |= {w for w in compounds.tokens(title) if w[0].isupper()}
    cut = {w for w in nouns if len(compounds.split(w)) > 1}
    assert cut <= judged.keys(), cut - judged.keys()


def test_precision_on_200_real_course_titles_is_at_least_95_percent() -> None:
    """Of the words the splitter cuts, the share cut right (README quotes the figure)."""
    judged = gold()
    cut = {w: compounds.split(w) for w in judged if len(compounds.split(w)) > 1}
    right = [w for w, parts in cut.items() if judged[w] == parts]
    precision = len(right) / len(cut)
    assert precision >= 0.95, sorted(set(cut) - set(right))
    compounds_known = [w for w, parts in judged.items() if parts is not None]
    recall = sum(compounds.split(w) == judged[w] for w in compounds_known) / len(compounds_known)
    assert recall >= 0.85
