"""Guards before an import publishes: a much shorter full export, another institution's file,
and feed addresses the region will not fetch from."""

from __future__ import annotations

import pytest

from services.intake.domain import (
    ImportRefused,
    Published,
    changes,
    check_creator,
    check_shrink,
)
from services.intake.feeds import loopback_host, public_address
from tests.unit.intake.test_changes import P, course


def published(count: int) -> dict[str, Published]:
    return {f"{P}:C{i}": Published(f"{P}:C{i}", 1, "x", True) for i in range(count)}


def full_export_keeping(kept: int, before: dict[str, Published]) -> None:
    result = changes(
        full=True,
        courses=[course(f"C{i}") for i in range(kept)],
        deletions=[],
        provider_id=P,
        published=before,
    )
    check_shrink(result, before, confirmed=False)


def test_a_full_export_withdrawing_most_courses_is_refused_and_says_how_to_confirm() -> None:
    with pytest.raises(ImportRefused) as refused:
        full_export_keeping(3, published(40))

    assert refused.value.kind == "shrunk_full_export"
    assert "37 von 40" in refused.value.message.de
    assert "confirm_withdrawals=true" in refused.value.message.en


def test_a_full_export_withdrawing_half_or_less_is_taken() -> None:
    full_export_keeping(20, published(40))


def test_a_small_catalogue_may_shrink_freely() -> None:
    full_export_keeping(1, published(9))


def test_a_confirmed_shrink_is_taken() -> None:
    before = published(40)
    result = changes(
        full=True, courses=[course("C1")], deletions=[], provider_id=P, published=before
    )

    check_shrink(result, before, confirmed=True)
    assert result.withdrawn == 39


def test_a_file_naming_another_creator_than_the_providers_earlier_ones_is_refused() -> None:
    with pytest.raises(ImportRefused) as refused:
        check_creator("vhs-kassel-guid", "vhs-lippe-guid")

    assert refused.value.kind == "other_creator"
    assert "vhs-lippe-guid" in refused.value.message.de


@pytest.mark.parametrize(
    ("known", "declared"), [(None, "a"), ("a", None), ("a", "a"), (None, None), ("a", P)]
)
def test_a_creator_is_checked_only_where_both_are_known(
    known: str | None, declared: str | None
) -> None:
    check_creator(known, declared, P)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.4", "169.254.169.254", "::1",
     "::ffff:127.0.0.1", "fe80::1", "0.0.0.0", "100.64.0.1"],
)  # fmt: skip
def test_local_and_private_addresses_are_not_public(address: str) -> None:
    assert not public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2a00:1450:4001:82b::200e"])
def test_internet_addresses_are_public(address: str) -> None:
    assert public_address(address)


@pytest.mark.parametrize(
    ("host", "local"),
    [("localhost", True), ("127.0.0.1", True), ("127.3.2.1", True), ("[::1]", True),
     ("10.0.0.1", False), ("192.0.2.10", False), ("example.org", False), ("localhost.evil", False)],
)  # fmt: skip
def test_a_development_region_knows_this_machine_without_a_name_server(
    host: str, local: bool
) -> None:
    assert loopback_host(host) is local
