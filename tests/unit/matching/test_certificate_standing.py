"""Whether a certificate's modules still count for counselling after a revocation or
suspension (services/matching/domain/standing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.matching.domain.standing import Standing, revoked, suspension

MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)


def test_a_certificate_never_heard_of_counts() -> None:
    assert Standing().counts


def test_a_revoked_certificate_never_counts_again() -> None:
    gone = revoked(Standing())
    assert not gone.counts
    assert not suspension(gone, False, TUESDAY).counts  # lifting a suspension does not undo it
    assert not revoked(gone).counts  # a repeat changes nothing


def test_a_suspended_certificate_counts_again_once_lifted() -> None:
    held = suspension(Standing(), True, MONDAY)
    assert not held.counts
    assert suspension(held, False, TUESDAY).counts


def test_news_older_than_what_was_heard_changes_nothing() -> None:
    lifted = suspension(suspension(Standing(), True, MONDAY), False, TUESDAY)
    assert suspension(lifted, True, MONDAY) == lifted
    assert lifted.counts
