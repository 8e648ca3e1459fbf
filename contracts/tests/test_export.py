"""The checked-in schemas and AsyncAPI document are what the generator produces."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from zll_contracts import EVENT_MODELS, TOPICS, __version__
from zll_contracts.export import (
    CONTRACTS_DIR,
    asyncapi_document,
    checked_in,
    generate,
    main,
    payload_schema,
    schema_mode,
)


def test_schemas_are_current():
    assert checked_in(CONTRACTS_DIR) == generate(), (
        "contracts/schemas or contracts/asyncapi.json are stale: "
        "run `python -m zll_contracts.export` and commit the result"
    )


def test_the_asyncapi_version_is_the_package_version():
    project = tomllib.loads((CONTRACTS_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == project["project"]["version"]
    assert asyncapi_document()["info"]["version"] == __version__


def test_output_is_deterministic_and_ends_with_a_newline():
    first, second = generate(), generate()
    assert first == second
    assert all(text.endswith("\n") for text in first.values())
    assert all(text.endswith("}\n") for path, text in first.items() if path.endswith(".json"))
    assert set(first) == {f"schemas/{t}.json" for t in EVENT_MODELS} | {
        "asyncapi.json",
        "REFERENCE.md",
    }


def test_partner_events_are_described_as_accepted_and_service_events_as_emitted():
    assert schema_mode("zll.course.upserted.v1") == "validation"
    assert schema_mode("zll.feedback.rejected.v1") == "serialization"
    accepted = payload_schema("zll.course.upserted.v1")["properties"]["price_eur"]
    emitted = payload_schema("zll.catalog.course-published.v1")["properties"]["price_eur"]
    assert {branch["type"] for branch in accepted["anyOf"]} == {"number", "string"}
    assert emitted["type"] == "number"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _refs(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def test_every_reference_in_the_asyncapi_document_resolves():
    document = asyncapi_document()
    refs = _refs(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/")
        assert isinstance(_resolve(document, ref), dict), ref


def test_asyncapi_has_a_channel_per_topic_and_acts_from_the_regions_side():
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    addresses = {c["address"]: c for c in document["channels"].values()}
    assert set(addresses) == set(TOPICS)
    actions = {
        _resolve(document, op["channel"]["$ref"])["address"]: op["action"]
        for op in document["operations"].values()
    }
    assert actions["zll.provider.courses.v1"] == "receive"
    assert actions["zll.provider.feedback.v1"] == "send"
    assert actions["zll.enrolments.v1"] == "send"
    message = document["components"]["messages"]["zll.course.upserted.v1"]
    assert message["bindings"]["kafka"]["key"]["description"] == "course_id"
    headers = message["headers"]
    assert headers["properties"]["ce_type"]["const"] == "zll.course.upserted.v1"
    assert "ce_subject" not in headers["required"]
    assert {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"} <= set(
        headers["required"]
    )


def test_check_reports_stale_files_and_write_fixes_them(tmp_path: Path, capsys):
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale:" in capsys.readouterr().err

    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0

    target = tmp_path / "schemas" / "zll.course.upserted.v1.json"
    target.write_text(target.read_text().replace('"title"', '"titel"', 1))
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "zll.course.upserted.v1.json" in capsys.readouterr().err


def test_writing_a_breaking_change_is_refused_unless_allowed(tmp_path: Path, capsys):
    assert main(["--root", str(tmp_path)]) == 0
    # Pretend the checked-in version had a field the models no longer have.
    target = tmp_path / "schemas" / "zll.course.withdrawn.v1.json"
    older = json.loads(target.read_text())
    older["properties"]["legacy_code"] = {"type": "string"}
    target.write_text(json.dumps(older))
    capsys.readouterr()

    assert main(["--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "zll.course.withdrawn.v1: legacy_code: property removed" in err
    assert "legacy_code" in target.read_text()  # nothing was written

    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path), "--allow-breaking"]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0


def test_a_schema_file_for_a_removed_event_type_is_breaking(tmp_path: Path, capsys):
    assert main(["--root", str(tmp_path)]) == 0
    (tmp_path / "schemas" / "zll.course.renamed.v1.json").write_text('{"type": "object"}\n')
    assert main(["--root", str(tmp_path)]) == 1
    assert "zll.course.renamed.v1: event type schema removed" in capsys.readouterr().err
    assert main(["--root", str(tmp_path), "--allow-breaking"]) == 0
    assert not (tmp_path / "schemas" / "zll.course.renamed.v1.json").exists()
