"""Settings come from the environment, and production refuses the published development key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from zll.platform.settings import load_settings


def test_defaults_give_each_service_its_own_port() -> None:
    names = ("catalog", "enrolment", "matching", "notify", "intake", "cooperative")
    assert [load_settings(s).port for s in names] == [8001, 8002, 8003, 8004, 8005, 8006]


def test_a_services_own_variable_wins_over_the_shared_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZLL_KAFKA_BOOTSTRAP", "shared:9092")
    monkeypatch.setenv("ZLL_CATALOG_DATABASE_URL", "postgresql://db/catalog")
    monkeypatch.setenv("ZLL_ENROLMENT_KAFKA_BOOTSTRAP", "own:9092")
    assert load_settings("catalog").database_url == "postgresql://db/catalog"
    assert load_settings("catalog").kafka_bootstrap == "shared:9092"
    assert load_settings("enrolment").kafka_bootstrap == "own:9092"
    assert load_settings("enrolment").database_url == ""


def test_production_refuses_the_development_jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZLL_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="ZLL_JWT_SECRET"):
        load_settings("catalog")
    monkeypatch.setenv("ZLL_JWT_SECRET", "s" * 40)
    assert load_settings("catalog").environment == "production"


def test_cors_origins_are_a_list_and_never_a_wildcard_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZLL_CORS_ORIGINS", "http://127.0.0.1:8000, https://portal.kassel.de")
    assert load_settings("catalog").allowed_origins == [
        "http://127.0.0.1:8000",
        "https://portal.kassel.de",
    ]
    monkeypatch.setenv("ZLL_ENVIRONMENT", "production")
    monkeypatch.setenv("ZLL_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("ZLL_CORS_ORIGINS", "*")
    with pytest.raises(ValidationError, match="ZLL_CORS_ORIGINS"):
        load_settings("catalog")
