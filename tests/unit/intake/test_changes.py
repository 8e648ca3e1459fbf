"""What an import changes: new, changed, unchanged, withdrawn, each real change one revision."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake import ImportedCourse, ImportedWithdrawal
from services.intake.domain import Changes, ImportRefused, Published, changes, fingerprint

P = "vhs-kassel"


def course(code: str, title: str = "Excel für Einsteiger") -> ImportedCourse:
    payload: dict[str, Any] = {"course_id": f"{P}:{code}", "provider_id": P, "title": title}
    return ImportedCourse(code, code, payload, 1, "/veranstaltung")


def deletion(code: str) -> ImportedWithdrawal:
    return ImportedWithdrawal(code, code, 1, "/DELETE/SERVICE")


def state_after(*steps: tuple[bool, list[ImportedCourse], list[ImportedWithdrawal]]) -> Changes:
    """Run imports one after another, each against what the ones before published."""
    published: dict[str, Published] = {}
    result = Changes()
    for full, courses, deletions in steps:
        result = changes(
            full=full, courses=courses, deletions=deletions, provider_id=P, published=published
        )
        published |= {p.course_id: p for p in result.state()}
    return result


def test_a_first_import_publishes_every_course_as_revision_one() -> None:
    result = state_after((True, [course("A"), course("B")], []))

    assert (result.new, result.changed, result.unchanged, result.withdrawn) == (2, 0, 0, 0)
    assert [u.payload["revision"] for u in result.upserts] == [1, 1]


def test_the_same_file_again_publishes_nothing() -> None:
    again = [course("A"), course("B")]
    result = state_after((True, [course("A"), course("B")], []), (True, again, []))

    assert (result.new, result.changed, result.unchanged, result.withdrawn) == (0, 0, 2, 0)
    assert result.upserts == []
    assert result.withdrawals == []


def test_a_changed_course_is_one_new_revision() -> None:
    result = state_after(
        (True, [course("A"), course("B")], []),
        (True, [course("A", "Excel für Fortgeschrittene"), course("B")], []),
    )

    assert (result.new, result.changed, result.unchanged) == (0, 1, 1)
    assert [(u.payload["course_id"], u.payload["revision"]) for u in result.upserts] == [
        (f"{P}:A", 2)
    ]


def test_a_full_export_withdraws_what_it_no_longer_holds() -> None:
    result = state_after((True, [course("A"), course("B")], []), (True, [course("A")], []))

    assert [(w.course_id, w.revision) for w in result.withdrawals] == [(f"{P}:B", 2)]
    assert result.unchanged == 1


def test_a_withdrawn_course_is_not_withdrawn_twice_and_comes_back_with_a_higher_revision() -> None:
    first = [course("A"), course("B")]
    twice = state_after((True, first, []), (True, [course("A")], []), (True, [course("A")], []))
    back = state_after(
        (True, first, []), (True, [course("A")], []), (True, [course("A"), course("B")], [])
    )

    assert twice.withdrawals == []
    assert [(u.payload["course_id"], u.payload["revision"]) for u in back.upserts] == [
        (f"{P}:B", 3)
    ]
    assert back.new == 1


def test_an_update_catalogue_applies_only_its_own_entries() -> None:
    result = state_after(
        (True, [course("A"), course("B"), course("C")], []),
        (False, [course("A", "Excel kompakt")], [deletion("C")]),
    )

    assert (result.changed, result.withdrawn) == (1, 1)
    assert [(w.course_id, w.revision) for w in result.withdrawals] == [(f"{P}:C", 2)]


def test_a_deletion_of_a_course_never_published_withdraws_nothing() -> None:
    result = state_after((False, [], [deletion("X")]))

    assert result.withdrawals == []


def test_an_empty_full_export_is_refused_and_withdraws_nothing() -> None:
    with pytest.raises(ImportRefused) as refused:
        state_after((True, [course("A")], []), (True, [], []))

    assert refused.value.kind == "empty_full_export"
    assert "nicht übernommen" in refused.value.message.de
    assert "not taken" in refused.value.message.en


def test_the_fingerprint_ignores_key_order_but_not_content() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
