"""What the docs say about a mechanism is what the code does: each check reads the statement
from the doc and the fact from the code (or its behaviour), so either drifting fails here."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI

from tests.hostile.corpus import corpus, courses_case
from zll.platform import outbox
from zll.platform.problems import install_problem_handlers

ROOT = Path(__file__).resolve().parents[2]


def bullet_naming(document: Path, name: str) -> str:
    """The README bullet (a `- ` item and its continuation lines) that mentions `name`."""
    bullets = re.split(r"\n(?=- )", document.read_text(encoding="utf-8"))
    found = [b for b in bullets if name in b]
    assert len(found) == 1, f"expected one bullet naming {name} in {document}, found {len(found)}"
    return " ".join(found[0].split())


def test_the_readme_describes_the_relays_locking_as_outbox_py_does_it() -> None:
    source = Path(outbox.__file__).read_text(encoding="utf-8")
    described = bullet_naming(ROOT / "README.md", "`zll/platform/outbox.py`")
    assert ("SKIP LOCKED" in described) == ("SKIP LOCKED" in source)
    assert ("FOR UPDATE" in described) == ("FOR UPDATE" in source)
    assert ("advisory lock" in described) == ("pg_try_advisory_xact_lock" in source)


def test_the_hostile_readme_lists_the_non_utf8_header_the_corpus_sends() -> None:
    records = corpus(courses_case("p"), own="p", other="q", tag="t")
    sent = {r.name: r for r in records}
    readme = " ".join((ROOT / "tests/hostile/README.md").read_text(encoding="utf-8").split())
    dead_lettered = next(line for line in readme.split("| cannot be read |")[1:])
    header_sent = "invalid-utf8-in-header" in sent
    assert header_sent == ("a header that is not UTF-8" in dead_lettered.split("|")[0])
    sentences = re.split(r"(?<=[.:])\s", readme)
    left_out = [x for x in sentences if "left out" in x.lower() and "UTF-8" in x]
    assert header_sent != bool(left_out), left_out
    if header_sent:
        assert sent["invalid-utf8-in-header"].expect == "dead-letter"


async def test_reliability_md_names_the_status_a_database_restart_answers_with() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/during-a-restart")
    async def during_a_restart() -> None:
        raise asyncpg.CannotConnectNowError("the database system is shutting down")

    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://zll") as client:
        answer = await client.get("/during-a-restart")
    doc = " ".join((ROOT / "docs/reliability.md").read_text(encoding="utf-8").split())
    stated = re.search(r"During a PostgreSQL restart, requests in flight get (\d{3})", doc)
    assert stated is not None, "docs/reliability.md no longer says what a restart answers"
    assert int(stated.group(1)) == answer.status_code
    assert answer.headers["content-type"].startswith("application/problem+json")
