"""The catalogue's ingestion rules, without servers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from zll_contracts.payloads import CourseUpserted, CourseWithdrawn

from services.catalog import domain
from tests.support.partner import course
from zll.platform.errors import Refused

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def upserted(code: str, revision: int, **changes: Any) -> CourseUpserted:
    return CourseUpserted.model_validate(course(code, revision=revision, **changes))


def withdrawal(code: str, revision: int) -> CourseWithdrawn:
    return CourseWithdrawn(
        provider_id="vhs-testhausen",
        course_id=f"vhs-testhausen:{code}",
        revision=revision,
        reason="Dozentin erkrankt",
    )


def stored(code: str, revision: int, *, live: bool = True) -> domain.StoredCourse:
    document = domain.publish(upserted(code, revision), NOW).model_dump(mode="json")
    return domain.StoredCourse(revision, live, document)


def test_a_provider_may_only_send_its_own_courses() -> None:
    domain.check_sender("vhs-testhausen", "vhs-testhausen")
    with pytest.raises(Refused) as refused:
        domain.check_sender("ihk-kassel", "vhs-testhausen")
    assert refused.value.problems[0].field == "provider_id"


@pytest.mark.parametrize(
    "key",
    [b"vhs-testhausen:excel-2", b"vhs-testhausen", b"", None, b"VHS-TESTHAUSEN:EXCEL-1"],
)
def test_a_record_keyed_other_than_by_its_course_id_is_refused_on_key(key: bytes | None) -> None:
    domain.check_key(b"vhs-testhausen:excel-1", "vhs-testhausen:excel-1")
    with pytest.raises(Refused) as refused:
        domain.check_key(key, "vhs-testhausen:excel-1")
    [problem] = refused.value.problems
    assert problem.field == "key"
    assert "vhs-testhausen:excel-1" in problem.message  # says what the key must be


def test_an_unregistered_provider_is_refused_on_provider_id() -> None:
    with pytest.raises(Refused) as refused:
        domain.check_registered("unbekannt", registered=False)
    assert [p.field for p in refused.value.problems] == ["provider_id"]
    # The clerk learns who can fix it, in German by default and in English on request.
    [problem] = refused.value.problems
    assert problem.message_de is not None
    assert problem.message_de.startswith("Der Anbieter „unbekannt“ ist bei ZLL nicht angemeldet")
    assert "ZLL-Betriebsteam" in problem.message_de
    assert problem.message_en is not None
    assert "the ZLL operators register providers" in problem.message_en


def test_equal_or_lower_revisions_have_no_effect() -> None:
    assert domain.supersedes(1, None)
    assert domain.supersedes(3, 2)
    assert not domain.supersedes(2, 2)
    assert not domain.supersedes(1, 2)


def test_a_batch_behaves_as_if_applied_one_event_at_a_time() -> None:
    batch = [upserted("a", 2), upserted("a", 3), upserted("a", 3), upserted("b", 1)]
    batch += [upserted("a", 1), upserted("c", 5), upserted("a", 4)]
    assert domain.accepted_upserts(batch, {"vhs-testhausen:c": 5}) == [
        True, True, False, True, False, False, True,
    ]  # fmt: skip


def test_withdrawal_announces_the_stored_course_with_the_reason_and_new_revision() -> None:
    announced = domain.withdraw(withdrawal("x", 2), stored("x", 1), NOW)
    assert announced is not None
    assert announced.title == course("x")["title"]
    assert announced.modules[0].eqf_level == 3
    assert (announced.revision, announced.reason) == (2, "Dozentin erkrankt")
    assert announced.withdrawn_at == NOW


def test_a_stale_withdrawal_or_one_of_a_withdrawn_course_changes_nothing_visible() -> None:
    assert domain.withdraw(withdrawal("x", 1), stored("x", 1), NOW) is None
    assert domain.withdraw(withdrawal("x", 3), stored("x", 2, live=False), NOW) is None


def test_withdrawing_an_unknown_course_is_refused_on_course_id() -> None:
    with pytest.raises(Refused) as refused:
        domain.withdraw(withdrawal("nie-gesehen", 1), None, NOW)
    assert [p.field for p in refused.value.problems] == ["course_id"]
