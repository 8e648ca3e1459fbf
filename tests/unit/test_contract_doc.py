"""The public contract in docs/contract.md names every topic and event type the registry has."""

from __future__ import annotations

from pathlib import Path

from zll_contracts.payloads.registry import EVENT_MODELS
from zll_contracts.topics import TOPICS

CONTRACT = Path(__file__).parents[2] / "docs" / "contract.md"


def test_the_contract_lives_in_the_repository_and_the_readme_links_it() -> None:
    readme = (CONTRACT.parents[1] / "README.md").read_text()
    assert CONTRACT.is_file()
    assert "(docs/contract.md)" in readme
    assert "../shared" not in readme


def test_every_topic_of_the_registry_is_in_the_contract() -> None:
    text = CONTRACT.read_text()
    missing = [name for name in TOPICS if f"`{name}`" not in text]
    assert not missing, f"topics missing from docs/contract.md: {missing}"


def test_every_event_type_of_the_registry_is_in_the_contract() -> None:
    text = CONTRACT.read_text()
    missing = [name for name in EVENT_MODELS if f"`{name}`" not in text]
    assert not missing, f"event types missing from docs/contract.md: {missing}"
